// Package satint is integer arithmetic on non-negative ints that saturates at
// math.MaxInt instead of wrapping: user settings such as WARM_IP_TARGET or a
// node count may be absurdly large, and a wrapped sum would read as small.
package satint

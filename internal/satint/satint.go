package satint

import "math"

// CeilDiv is ⌈a/b⌉ for a ≥ 0, b > 0, without overflow.
func CeilDiv(a, b int) int {
	q := a / b
	if a%b != 0 {
		q++
	}
	return q
}

// Add is a + b, or math.MaxInt when that overflows.
func Add(a, b int) int {
	if a > math.MaxInt-b {
		return math.MaxInt
	}
	return a + b
}

// Mul is a × b, or math.MaxInt when that overflows.
func Mul(a, b int) int {
	if a == 0 || b == 0 {
		return 0
	}
	if a > math.MaxInt/b {
		return math.MaxInt
	}
	return a * b
}

// RoundUp is the smallest multiple of b at or above a (b > 0), saturating.
func RoundUp(a, b int) int {
	return Mul(CeilDiv(a, b), b)
}

package satint

import (
	"math"
	"testing"
)

func TestSaturatingArithmetic(t *testing.T) {
	tests := []struct {
		name      string
		got, want int
	}{
		{"CeilDiv(0, 16)", CeilDiv(0, 16), 0},
		{"CeilDiv(20, 16)", CeilDiv(20, 16), 2},
		{"CeilDiv(32, 16)", CeilDiv(32, 16), 2},
		{"CeilDiv(MaxInt, 1)", CeilDiv(math.MaxInt, 1), math.MaxInt},
		{"Add(2, 3)", Add(2, 3), 5},
		{"Add(MaxInt, 1)", Add(math.MaxInt, 1), math.MaxInt},
		{"Mul(0, MaxInt)", Mul(0, math.MaxInt), 0},
		{"Mul(7, 9)", Mul(7, 9), 63},
		{"Mul(MaxInt/2, 3)", Mul(math.MaxInt/2, 3), math.MaxInt},
		{"RoundUp(49, 16)", RoundUp(49, 16), 64},
		{"RoundUp(48, 16)", RoundUp(48, 16), 48},
		{"RoundUp(MaxInt, 16)", RoundUp(math.MaxInt, 16), math.MaxInt},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%s = %d, want %d", tt.name, tt.got, tt.want)
		}
	}
}

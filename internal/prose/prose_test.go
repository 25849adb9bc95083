package prose

import "testing"

func TestJoinAndCount(t *testing.T) {
	for _, tt := range []struct{ got, want string }{
		{JoinAnd(nil), ""},
		{JoinAnd([]string{"a"}), "a"},
		{JoinAnd([]string{"a", "b"}), "a and b"},
		{JoinAnd([]string{"a", "b", "c"}), "a, b and c"},
		{JoinOr([]string{"use1-az3", "usw1-az2", "cac1-az3"}), "use1-az3, usw1-az2 or cac1-az3"},
		{Count(1, "node", "nodes"), "1 node"},
		{Count(0, "node", "nodes"), "0 nodes"},
		{Count(140, "address", "addresses"), "140 addresses"},
	} {
		if tt.got != tt.want {
			t.Errorf("got %q, want %q", tt.got, tt.want)
		}
	}
}

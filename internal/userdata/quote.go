package userdata

import (
	"strings"
	"unicode/utf8"
)

// ShellQuote returns s as one POSIX shell word: inside single quotes nothing
// is special, and each single quote in s closes the quotes, follows as a
// backslash-escaped quote, and reopens them. Newlines, $(...), backquotes
// and globs stay literal.
func ShellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// powerShellQuotes are the characters PowerShell accepts as a single quote:
// the ASCII one and the typographic ‘ ’ ‚ ‛. Each ends a single-quoted
// string unless doubled.
const powerShellQuotes = "'\u2018\u2019\u201a\u201b"

// PowerShellQuote returns s as one PowerShell single-quoted string, where
// nothing expands and each quote character is escaped by doubling it.
func PowerShellQuote(s string) string {
	var b strings.Builder
	b.Grow(len(s) + 2)
	b.WriteByte('\'')
	for len(s) > 0 {
		r, size := utf8.DecodeRuneInString(s)
		if r != utf8.RuneError && strings.ContainsRune(powerShellQuotes, r) {
			b.WriteString(s[:size]) // doubled
		}
		b.WriteString(s[:size]) // the bytes as given, even if not UTF-8
		s = s[size:]
	}
	b.WriteByte('\'')
	return b.String()
}

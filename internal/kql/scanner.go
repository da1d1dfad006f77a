package kql

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// Scanner splits a query into tokens. It is a value: copying it saves its
// position, which is how the parser looks ahead.
type Scanner struct {
	src string
	off int // offset of the next unread byte
}

// NewScanner returns a scanner at the start of src.
func NewScanner(src string) Scanner { return Scanner{src: src} }

// Scan returns the next token, its position and its literal text. For a
// String the literal is the decoded value; for ILLEGAL it is a message
// saying what is wrong.
func (s *Scanner) Scan() (pos Pos, tok Token, lit string) {
	s.skipSpaceAndComments()
	pos = Pos(s.off)
	if s.off >= len(s.src) {
		return pos, EOF, ""
	}
	c := s.src[s.off]
	switch {
	case isLetter(c) || c == '_' || c == '$':
		if (c == 'h' || c == 'H') && s.off+1 < len(s.src) && isQuote(s.src[s.off+1], s.src, s.off+1) {
			s.off++ // h'…': an obfuscated string literal, a plain string to us
			return s.scanStringLiteral(pos)
		}
		return pos, IDENT, s.scanWord()
	case isDigit(c):
		return s.scanNumber(pos)
	case c == '\'' || c == '"' || c == '@' || c == '`':
		return s.scanStringLiteral(pos)
	}
	s.off++
	next := byte(0)
	if s.off < len(s.src) {
		next = s.src[s.off]
	}
	two := func(t Token) (Pos, Token, string) {
		s.off++
		return pos, t, s.src[int(pos):s.off]
	}
	switch c {
	case '|':
		return pos, PIPE, "|"
	case '(':
		return pos, LPAREN, "("
	case ')':
		return pos, RPAREN, ")"
	case '[':
		return pos, LBRACK, "["
	case ']':
		return pos, RBRACK, "]"
	case '{':
		return pos, LBRACE, "{"
	case '}':
		return pos, RBRACE, "}"
	case ',':
		return pos, COMMA, ","
	case ';':
		return pos, SEMI, ";"
	case ':':
		return pos, COLON, ":"
	case '?':
		return pos, QUESTION, "?"
	case '+':
		return pos, PLUS, "+"
	case '-':
		return pos, MINUS, "-"
	case '*':
		return pos, STAR, "*"
	case '/':
		return pos, SLASH, "/"
	case '%':
		return pos, PERCENT, "%"
	case '.':
		if next == '.' {
			return two(DOTDOT)
		}
		return pos, DOT, "."
	case '=':
		switch next {
		case '=':
			return two(EQ)
		case '~':
			return two(EQTILDE)
		case '>':
			return two(ARROW)
		}
		return pos, ASSIGN, "="
	case '!':
		switch {
		case next == '=':
			return two(NEQ)
		case next == '~':
			return two(NEQTILDE)
		case isLetter(next):
			// The negated string operators are single words: !in,
			// !contains, !has, !startswith, !between, !in~.
			return pos, IDENT, "!" + s.scanWord()
		}
		return pos, ILLEGAL, "'!' must be followed by '=', '~' or an operator such as in or contains"
	case '<':
		switch next {
		case '=':
			return two(LE)
		case '>':
			return two(NEQ)
		}
		return pos, LT, "<"
	case '>':
		if next == '=' {
			return two(GE)
		}
		return pos, GT, ">"
	}
	r, _ := utf8.DecodeRuneInString(s.src[int(pos):])
	s.off = int(pos) + max(utf8.RuneLen(r), 1)
	return pos, ILLEGAL, "unexpected character " + strconv.QuoteRune(r)
}

// scanWord reads an identifier. A word "in" directly followed by '~' is
// the case-insensitive in~ operator.
func (s *Scanner) scanWord() string {
	start := s.off
	s.off++
	for s.off < len(s.src) && (isLetter(s.src[s.off]) || isDigit(s.src[s.off]) || s.src[s.off] == '_') {
		s.off++
	}
	if s.off < len(s.src) && s.src[s.off] == '~' {
		switch s.src[start:s.off] {
		case "in", "!in", "has_any", "has_all":
			s.off++
		}
	}
	return s.src[start:s.off]
}

func (s *Scanner) skipSpaceAndComments() {
	for s.off < len(s.src) {
		c := s.src[s.off]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v':
			s.off++
		case c == '/' && s.off+1 < len(s.src) && s.src[s.off+1] == '/':
			for s.off < len(s.src) && s.src[s.off] != '\n' {
				s.off++
			}
		case c >= 0x80:
			// Non-breaking and other Unicode spaces come in from pasted text.
			r, n := utf8.DecodeRuneInString(s.src[s.off:])
			if r != '\u00a0' && r != '\u2007' && r != '\u202f' && r != '\ufeff' && r != '\u200b' {
				return
			}
			s.off += n
		default:
			return
		}
	}
}

// timespanUnits are the suffixes that make a number a timespan literal,
// with their length in ticks (100 ns).
var timespanUnits = map[string]int64{
	"d": 864_000_000_000, "day": 864_000_000_000, "days": 864_000_000_000,
	"h": 36_000_000_000, "hr": 36_000_000_000, "hrs": 36_000_000_000, "hour": 36_000_000_000, "hours": 36_000_000_000,
	"m": 600_000_000, "min": 600_000_000, "minute": 600_000_000, "minutes": 600_000_000,
	"s": 10_000_000, "sec": 10_000_000, "second": 10_000_000, "seconds": 10_000_000,
	"ms": 10_000, "milli": 10_000, "millis": 10_000, "millisecond": 10_000, "milliseconds": 10_000,
	"microsecond": 10, "microseconds": 10,
	"tick": 1, "ticks": 1,
}

func (s *Scanner) scanNumber(pos Pos) (Pos, Token, string) {
	start := s.off
	if strings.HasPrefix(s.src[s.off:], "0x") || strings.HasPrefix(s.src[s.off:], "0X") {
		s.off += 2
		for s.off < len(s.src) && isHex(s.src[s.off]) {
			s.off++
		}
		if s.off == start+2 {
			return pos, ILLEGAL, "a hexadecimal number needs digits after 0x"
		}
		return pos, INT, s.src[start:s.off]
	}
	tok := INT
	s.digits()
	// A '.' followed by a digit continues the number; "1..5" is a range.
	if s.off < len(s.src) && s.src[s.off] == '.' {
		next := byte(0)
		if s.off+1 < len(s.src) {
			next = s.src[s.off+1]
		}
		// "1.5" and "1." are reals; "1..5" is a range and "1.day" a member.
		if next != '.' && !isLetter(next) {
			tok = REAL
			s.off++
			s.digits()
		}
	}
	if s.off < len(s.src) && (s.src[s.off] == 'e' || s.src[s.off] == 'E') {
		save := s.off
		s.off++
		if s.off < len(s.src) && (s.src[s.off] == '+' || s.src[s.off] == '-') {
			s.off++
		}
		if s.off < len(s.src) && isDigit(s.src[s.off]) {
			tok = REAL
			s.digits()
		} else {
			s.off = save
		}
	}
	if s.off < len(s.src) && isLetter(s.src[s.off]) {
		unitStart := s.off
		for s.off < len(s.src) && isLetter(s.src[s.off]) {
			s.off++
		}
		if _, ok := timespanUnits[strings.ToLower(s.src[unitStart:s.off])]; !ok {
			return pos, ILLEGAL, "unknown unit '" + s.src[unitStart:s.off] + "' after a number (use d, h, m, s, ms, microsecond or tick)"
		}
		return pos, TIMESPAN, s.src[start:s.off]
	}
	return pos, tok, s.src[start:s.off]
}

func (s *Scanner) digits() {
	for s.off < len(s.src) && isDigit(s.src[s.off]) {
		s.off++
	}
}

// scanStringLiteral reads one of KQL's string forms: 'x' and "x" with
// backslash escapes, @'x' and @"x" verbatim (a doubled quote stands for
// one), and ```x``` spanning lines. Adjacent literals are one string, as in
// Kusto.
func (s *Scanner) scanStringLiteral(pos Pos) (Pos, Token, string) {
	var b strings.Builder
	for {
		part, msg := s.scanOneString()
		if msg != "" {
			return pos, ILLEGAL, msg
		}
		b.WriteString(part)
		save := s.off
		s.skipSpaceAndComments()
		if s.off < len(s.src) && isQuote(s.src[s.off], s.src, s.off) {
			continue
		}
		s.off = save
		return pos, STRING, b.String()
	}
}

// isQuote reports whether the byte at off starts a string literal.
func isQuote(c byte, src string, off int) bool {
	switch c {
	case '\'', '"':
		return true
	case '@':
		return off+1 < len(src) && (src[off+1] == '\'' || src[off+1] == '"')
	case '`':
		return strings.HasPrefix(src[off:], "```")
	}
	return false
}

func (s *Scanner) scanOneString() (string, string) {
	start := s.off
	if strings.HasPrefix(s.src[s.off:], "```") {
		end := strings.Index(s.src[s.off+3:], "```")
		if end < 0 {
			return "", "a multi-line string started with ``` is not closed"
		}
		v := s.src[s.off+3 : s.off+3+end]
		s.off += end + 6
		return v, ""
	}
	verbatim := false
	if s.src[s.off] == '@' {
		verbatim = true
		s.off++
	}
	if s.off >= len(s.src) || (s.src[s.off] != '\'' && s.src[s.off] != '"') {
		s.off = start + 1
		return "", "'@' must start a verbatim string such as @'C:\\path'"
	}
	quote := s.src[s.off]
	s.off++
	var b strings.Builder
	for {
		if s.off >= len(s.src) {
			return "", "string literal is not closed"
		}
		c := s.src[s.off]
		switch {
		case c == quote:
			if verbatim && s.off+1 < len(s.src) && s.src[s.off+1] == quote {
				b.WriteByte(quote)
				s.off += 2
				continue
			}
			s.off++
			return b.String(), ""
		case c == '\n' && !verbatim:
			return "", "string literal is not closed before the end of the line"
		case c == '\\' && !verbatim:
			if s.off+1 >= len(s.src) {
				return "", "string literal is not closed"
			}
			r, n, ok := unescape(s.src[s.off+1:])
			if !ok {
				return "", "unknown escape sequence \\" + string(s.src[s.off+1])
			}
			b.WriteRune(r)
			s.off += 1 + n
		default:
			b.WriteByte(c)
			s.off++
		}
	}
}

// unescape decodes the escape after a backslash.
func unescape(s string) (rune, int, bool) {
	switch s[0] {
	case 'n':
		return '\n', 1, true
	case 't':
		return '\t', 1, true
	case 'r':
		return '\r', 1, true
	case '0':
		return 0, 1, true
	case '\\', '\'', '"', '/', '@':
		return rune(s[0]), 1, true
	case 'u', 'x':
		n := 4
		if s[0] == 'x' {
			n = 2
		}
		if len(s) < 1+n {
			return 0, 0, false
		}
		v, err := strconv.ParseUint(s[1:1+n], 16, 32)
		if err != nil {
			return 0, 0, false
		}
		return rune(v), 1 + n, true
	}
	return 0, 0, false
}

// rawUntil returns the text from the current offset to the next close
// byte, consuming both; datetime(…) and friends hold text that is not made
// of tokens ("2024-01-01T10:00:00Z").
func (s *Scanner) rawUntil(close byte) (string, bool) {
	i := strings.IndexByte(s.src[s.off:], close)
	if i < 0 {
		return "", false
	}
	v := s.src[s.off : s.off+i]
	s.off += i + 1
	return v, true
}

// skipTo moves the scanner to a byte offset.
func (s *Scanner) skipTo(off int) { s.off = off }

func isLetter(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }
func isDigit(c byte) bool  { return '0' <= c && c <= '9' }
func isHex(c byte) bool    { return isDigit(c) || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F' }

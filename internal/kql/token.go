// Package kql is callscope's front end for the Kusto Query Language: a
// scanner, a recursive-descent parser that builds an abstract syntax tree
// with positions, and a semantic pass that resolves every name against the
// workspace schema and types every expression. The checked tree is what the
// SQL generator (package sqlgen) turns into one engine's SQL.
//
// The pieces follow Go's own go/scanner, go/parser and go/ast: the scanner
// knows nothing of the grammar, the parser knows nothing of the schema, and
// errors carry the position of the text they are about.
package kql

import (
	"fmt"
	"unicode/utf8"
)

// Pos is a byte offset into the query text.
type Pos int

// NoPos is the position of something that has none (an implied node).
const NoPos Pos = -1

// Position is a Pos as people read it: line and column, both counted from 1,
// the column in characters.
type Position struct {
	Line, Column int
}

func (p Position) String() string { return fmt.Sprintf("line %d, column %d", p.Line, p.Column) }

// PositionOf converts a byte offset in src to a line and column.
func PositionOf(src string, p Pos) Position {
	if p < 0 {
		return Position{}
	}
	if int(p) > len(src) {
		p = Pos(len(src))
	}
	line, col := 1, 1
	for _, r := range src[:p] {
		if r == '\n' {
			line++
			col = 1
			continue
		}
		col++
	}
	return Position{Line: line, Column: col}
}

// Token is the kind of a lexical token.
type Token uint8

// The tokens of KQL. Words (keywords, operator names, function names,
// column names) are all IDENT: KQL keywords are contextual, so a column may
// be called "count" or "project", and the parser decides by position.
const (
	EOF Token = iota
	ILLEGAL

	IDENT    // ACSCallSummary, where, $left, !in, in~
	STRING   // 'x', "x", @'x'; the value is unquoted and unescaped
	INT      // 42, 0x2A
	REAL     // 4.2, 1e3
	TIMESPAN // 10ms, 1.5h, 7days

	PIPE     // |
	LPAREN   // (
	RPAREN   // )
	LBRACK   // [
	RBRACK   // ]
	LBRACE   // {
	RBRACE   // }
	COMMA    // ,
	SEMI     // ;
	DOT      // .
	DOTDOT   // ..
	COLON    // :
	ASSIGN   // =
	EQ       // ==
	NEQ      // != or <>
	EQTILDE  // =~
	NEQTILDE // !~
	LT       // <
	LE       // <=
	GT       // >
	GE       // >=
	PLUS     // +
	MINUS    // -
	STAR     // *
	SLASH    // /
	PERCENT  // %
	ARROW    // =>
	QUESTION // ?
)

var tokenNames = [...]string{
	EOF: "end of query", ILLEGAL: "illegal character",
	IDENT: "name", STRING: "string", INT: "integer", REAL: "real number", TIMESPAN: "timespan",
	PIPE: "'|'", LPAREN: "'('", RPAREN: "')'", LBRACK: "'['", RBRACK: "']'", LBRACE: "'{'", RBRACE: "'}'",
	COMMA: "','", SEMI: "';'", DOT: "'.'", DOTDOT: "'..'", COLON: "':'", ASSIGN: "'='",
	EQ: "'=='", NEQ: "'!='", EQTILDE: "'=~'", NEQTILDE: "'!~'", LT: "'<'", LE: "'<='", GT: "'>'", GE: "'>='",
	PLUS: "'+'", MINUS: "'-'", STAR: "'*'", SLASH: "'/'", PERCENT: "'%'", ARROW: "'=>'", QUESTION: "'?'",
}

func (t Token) String() string {
	if int(t) < len(tokenNames) && tokenNames[t] != "" {
		return tokenNames[t]
	}
	return fmt.Sprintf("Token(%d)", int(t))
}

// describe names a token as an error message shows it: its text for names
// and literals, its kind otherwise.
func describe(tok Token, lit string) string {
	switch tok {
	case IDENT, INT, REAL, TIMESPAN:
		return fmt.Sprintf("'%s'", lit)
	case STRING:
		if utf8.RuneCountInString(lit) > 30 {
			return "a string"
		}
		return fmt.Sprintf("string %q", lit)
	}
	return tok.String()
}

package kql

import "fmt"

// ErrorKind classifies an error in a query.
type ErrorKind uint8

const (
	// SyntaxError: the text is not KQL (Log Analytics' "SyntaxError").
	SyntaxError ErrorKind = iota + 1
	// SemanticError: the text is KQL but names something that does not
	// exist, mixes types, or uses a construct callscope does not support.
	SemanticError
)

func (k ErrorKind) String() string {
	if k == SyntaxError {
		return "SyntaxError"
	}
	return "SemanticError"
}

// Error is a problem with a query, at a position in its text.
type Error struct {
	Kind     ErrorKind
	Pos      Pos      // byte offset; NoPos if the problem has no single place
	Position Position // line and column of Pos
	Msg      string
}

func (e *Error) Error() string {
	if e.Position.Line == 0 {
		return e.Msg
	}
	return fmt.Sprintf("%s at %s: %s", e.kindText(), e.Position, e.Msg)
}

func (e *Error) kindText() string {
	if e.Kind == SyntaxError {
		return "syntax error"
	}
	return "error"
}

// newError builds an Error for the text src.
func newError(kind ErrorKind, src string, pos Pos, format string, args ...any) *Error {
	return &Error{Kind: kind, Pos: pos, Position: PositionOf(src, pos), Msg: fmt.Sprintf(format, args...)}
}

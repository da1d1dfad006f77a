package kql

import (
	"fmt"
	"strconv"
	"strings"
)

// Limits of the parser, explicit so that no query can exhaust the stack or
// take unbounded time.
const (
	// MaxQueryLength is the longest query text accepted, in bytes.
	MaxQueryLength = 1 << 20
	// MaxDepth is the deepest nesting of expressions and sub-queries.
	MaxDepth = 200
)

// Parse parses a query. The error, if any, is an *Error with the position
// of the first problem.
func Parse(src string) (q *Query, err error) {
	if len(src) > MaxQueryLength {
		return nil, &Error{Kind: SyntaxError, Pos: NoPos, Msg: fmt.Sprintf("the query is %d bytes long; the limit is %d", len(src), MaxQueryLength)}
	}
	p := &parser{src: src, sc: NewScanner(src)}
	defer func() {
		if r := recover(); r != nil {
			e, ok := r.(*Error)
			if !ok {
				panic(r)
			}
			q, err = nil, e
		}
	}()
	p.next()
	q = p.parseQuery(EOF)
	return q, nil
}

// parser is a recursive-descent parser with one token of lookahead. It
// stops at the first error by panicking with an *Error that Parse recovers,
// as go/parser does with its bailout.
type parser struct {
	src string
	sc  Scanner

	pos Pos    // current token's position
	tok Token  // current token
	lit string // current token's literal
	end int    // offset just past the current token

	depth int
}

func (p *parser) next() {
	p.pos, p.tok, p.lit = p.sc.Scan()
	p.end = p.sc.off
	if p.tok == ILLEGAL {
		p.fail(p.pos, "%s", p.lit)
	}
}

// state saves the parser's position so that it can look ahead and come back.
type state struct {
	sc  Scanner
	pos Pos
	tok Token
	lit string
	end int
}

func (p *parser) save() state { return state{p.sc, p.pos, p.tok, p.lit, p.end} }
func (p *parser) restore(s state) {
	p.sc, p.pos, p.tok, p.lit, p.end = s.sc, s.pos, s.tok, s.lit, s.end
}
func (p *parser) peek() (Token, string) {
	s := p.save()
	defer p.restore(s)
	p.next()
	return p.tok, p.lit
}

func (p *parser) fail(pos Pos, format string, args ...any) {
	panic(newError(SyntaxError, p.src, pos, format, args...))
}

// failSemantic reports a construct that parses but that callscope does not
// support.
func (p *parser) failSemantic(pos Pos, format string, args ...any) {
	panic(newError(SemanticError, p.src, pos, format, args...))
}

func (p *parser) unexpected(want string) {
	p.fail(p.pos, "expected %s, found %s", want, describe(p.tok, p.lit))
}

func (p *parser) expect(tok Token) Pos {
	pos := p.pos
	if p.tok != tok {
		p.unexpected(tok.String())
	}
	p.next()
	return pos
}

// isWord reports whether the current token is the word w (keywords are
// matched exactly, as in Kusto).
func (p *parser) isWord(w string) bool { return p.tok == IDENT && p.lit == w }

func (p *parser) expectWord(w string) {
	if !p.isWord(w) {
		p.unexpected("'" + w + "'")
	}
	p.next()
}

func (p *parser) enter() {
	p.depth++
	if p.depth > MaxDepth {
		p.fail(p.pos, "the query nests more than %d levels deep", MaxDepth)
	}
}

func (p *parser) leave() { p.depth-- }

// ---- statements ----

// parseQuery reads statements up to the token end (EOF, or '}' for a
// function body).
func (p *parser) parseQuery(end Token) *Query {
	q := &Query{}
	for p.tok != end {
		if p.tok == SEMI {
			p.next()
			continue
		}
		q.Stmts = append(q.Stmts, p.parseStmt())
		if p.tok != SEMI && p.tok != end {
			if p.tok == PIPE {
				p.fail(p.pos, "a '|' cannot follow here; is a ';' missing before it, or a '|' missing earlier?")
			}
			p.unexpected("';' or the end of the query")
		}
	}
	if len(q.Stmts) == 0 {
		p.fail(p.pos, "the query is empty")
	}
	return q
}

func (p *parser) parseStmt() Stmt {
	if p.tok == IDENT {
		switch p.lit {
		case "let":
			return p.parseLet()
		case "declare":
			return p.parseDeclare()
		case "set":
			if t, _ := p.peek(); t == IDENT {
				return p.parseSet()
			}
		case "alias", "pattern", "restrict":
			p.failSemantic(p.pos, "the '%s' statement is not supported", p.lit)
		}
	}
	return &ExprStmt{X: p.parseExpr()}
}

func (p *parser) parseLet() *LetStmt {
	s := &LetStmt{Let: p.pos}
	p.next()
	s.Name = p.parseName()
	p.expect(ASSIGN)
	if p.tok == LPAREN && p.looksLikeFunction() {
		s.Func = p.parseFuncLit()
		return s
	}
	s.Value = p.parseExpr()
	return s
}

// looksLikeFunction reports whether the '(' at hand opens a function's
// parameter list: "()" followed by '{', or "(name:".
func (p *parser) looksLikeFunction() bool {
	s := p.save()
	defer p.restore(s)
	p.next()
	if p.tok == RPAREN {
		p.next()
		return p.tok == LBRACE
	}
	if p.tok != IDENT {
		return false
	}
	p.next()
	return p.tok == COLON
}

func (p *parser) parseFuncLit() *FuncLit {
	f := &FuncLit{Lparen: p.expect(LPAREN)}
	f.Params = p.parseParams()
	p.expect(RPAREN)
	p.expect(LBRACE)
	p.enter()
	f.Body = p.parseQuery(RBRACE)
	p.leave()
	p.expect(RBRACE)
	return f
}

// parseParams reads name:type [= default], … up to ')'.
func (p *parser) parseParams() []*Param {
	var out []*Param
	for p.tok != RPAREN {
		prm := &Param{Name: p.parseName()}
		p.expect(COLON)
		if p.tok == LPAREN {
			p.failSemantic(p.pos, "tabular parameters are not supported; pass a scalar or use a let statement")
		}
		prm.Type = p.parseName()
		if p.tok == ASSIGN {
			p.next()
			prm.Default = p.parseExpr()
		}
		out = append(out, prm)
		if p.tok != COMMA {
			break
		}
		p.next()
	}
	return out
}

func (p *parser) parseDeclare() *DeclareStmt {
	s := &DeclareStmt{Declare: p.pos}
	p.next()
	if !p.isWord("query_parameters") {
		p.unexpected("'query_parameters'")
	}
	p.next()
	p.expect(LPAREN)
	s.Params = p.parseParams()
	p.expect(RPAREN)
	return s
}

func (p *parser) parseSet() *SetStmt {
	s := &SetStmt{Set: p.pos}
	p.next()
	s.Name = p.parseDottedName()
	if p.tok == ASSIGN {
		p.next()
		s.Value = p.parseExpr()
	}
	return s
}

// parseName reads a name: a plain or quoted identifier.
func (p *parser) parseName() *Ident {
	if p.tok == LBRACK {
		return p.parseQuotedName()
	}
	if p.tok != IDENT || strings.HasPrefix(p.lit, "!") || strings.HasPrefix(p.lit, "$") {
		p.unexpected("a name")
	}
	id := &Ident{NamePos: p.pos, Name: p.lit}
	p.next()
	return id
}

// parseQuotedName reads ['name'] or ["name"].
func (p *parser) parseQuotedName() *Ident {
	pos := p.expect(LBRACK)
	if p.tok != STRING {
		p.unexpected("a quoted name such as ['my column']")
	}
	id := &Ident{NamePos: pos, Name: p.lit, Quoted: true}
	p.next()
	p.expect(RBRACK)
	return id
}

// parseDottedName reads a.b.c as one name (hint.strategy, query option names).
func (p *parser) parseDottedName() string {
	name := p.parseName().Name
	for p.tok == DOT {
		p.next()
		name += "." + p.parseName().Name
	}
	return name
}

// ---- expressions ----

// parseExpr reads an expression including pipes: Source | op | op.
func (p *parser) parseExpr() Expr {
	p.enter()
	defer p.leave()
	x := p.parseOr()
	if p.tok != PIPE {
		return x
	}
	pipe := &PipeExpr{Source: x}
	for p.tok == PIPE {
		p.next()
		pipe.Ops = append(pipe.Ops, p.parseOperator())
	}
	return pipe
}

func (p *parser) parseOr() Expr {
	x := p.parseAnd()
	for p.isWord("or") {
		pos := p.pos
		p.next()
		x = &BinaryExpr{X: x, OpPos: pos, Op: "or", Y: p.parseAnd()}
	}
	return x
}

func (p *parser) parseAnd() Expr {
	x := p.parseComparison()
	for p.isWord("and") {
		pos := p.pos
		p.next()
		x = &BinaryExpr{X: x, OpPos: pos, Op: "and", Y: p.parseComparison()}
	}
	return x
}

// stringOperators are the word operators that compare two strings.
var stringOperators = map[string]bool{}

func init() {
	for _, op := range []string{"contains", "has", "hasprefix", "hassuffix", "startswith", "endswith"} {
		for _, v := range []string{op, "!" + op, op + "_cs", "!" + op + "_cs"} {
			stringOperators[v] = true
		}
	}
	stringOperators["like"] = false
}

func (p *parser) parseComparison() Expr {
	x := p.parseAdditive()
	for {
		pos := p.pos
		switch p.tok {
		case EQ, NEQ, LT, LE, GT, GE, EQTILDE, NEQTILDE:
			op := p.tok.String()
			op = op[1 : len(op)-1]
			if p.tok == NEQ {
				op = "!="
			}
			p.next()
			x = &BinaryExpr{X: x, OpPos: pos, Op: op, Y: p.parseAdditive()}
			continue
		case IDENT:
			switch {
			case stringOperators[p.lit]:
				op := p.lit
				p.next()
				x = &BinaryExpr{X: x, OpPos: pos, Op: op, Y: p.parseAdditive()}
				continue
			case p.lit == "matches":
				p.next()
				p.expectWord("regex")
				x = &BinaryExpr{X: x, OpPos: pos, Op: "matches regex", Y: p.parseAdditive()}
				continue
			case p.lit == "in" || p.lit == "!in" || p.lit == "in~" || p.lit == "!in~" ||
				p.lit == "has_any" || p.lit == "has_all":
				op := p.lit
				p.next()
				x = &InExpr{X: x, OpPos: pos, Op: op, List: p.parseParenList()}
				continue
			case p.lit == "between" || p.lit == "!between":
				not := p.lit == "!between"
				p.next()
				p.expect(LPAREN)
				lo := p.parseAdditive()
				p.expect(DOTDOT)
				hi := p.parseAdditive()
				p.expect(RPAREN)
				x = &BetweenExpr{X: x, OpPos: pos, Not: not, Lo: lo, Hi: hi}
				continue
			}
		}
		return x
	}
}

// parseParenList reads (x, y, …) where each item may be a sub-query.
func (p *parser) parseParenList() []Expr {
	p.expect(LPAREN)
	var out []Expr
	for p.tok != RPAREN {
		out = append(out, p.parseExpr())
		if p.tok != COMMA {
			break
		}
		p.next()
	}
	p.expect(RPAREN)
	return out
}

func (p *parser) parseAdditive() Expr {
	x := p.parseMultiplicative()
	for p.tok == PLUS || p.tok == MINUS {
		pos, op := p.pos, p.lit
		p.next()
		x = &BinaryExpr{X: x, OpPos: pos, Op: op, Y: p.parseMultiplicative()}
	}
	return x
}

func (p *parser) parseMultiplicative() Expr {
	x := p.parseUnary()
	for p.tok == STAR || p.tok == SLASH || p.tok == PERCENT {
		pos, op := p.pos, p.lit
		p.next()
		x = &BinaryExpr{X: x, OpPos: pos, Op: op, Y: p.parseUnary()}
	}
	return x
}

func (p *parser) parseUnary() Expr {
	if p.tok == MINUS || p.tok == PLUS {
		pos, op := p.pos, p.lit
		p.next()
		p.enter()
		defer p.leave()
		x := p.parseUnary()
		// Fold the sign into a number so that -1 is a literal, which
		// dynamic(…) and datatable rows need.
		if lit, ok := x.(*Literal); ok && op == "-" {
			switch v := lit.Value.(type) {
			case int64:
				if lit.Kind == LitInt || lit.Kind == LitTimespan || lit.Kind == LitTypedInt {
					return &Literal{ValuePos: pos, Kind: lit.Kind, Value: -v, Text: "-" + lit.Text}
				}
			case float64:
				return &Literal{ValuePos: pos, Kind: lit.Kind, Value: -v, Text: "-" + lit.Text}
			}
		}
		return &UnaryExpr{OpPos: pos, Op: op, X: x}
	}
	return p.parsePostfix(p.parsePrimary())
}

func (p *parser) parsePostfix(x Expr) Expr {
	for {
		switch p.tok {
		case DOT:
			p.next()
			if p.tok == LBRACK {
				x = &MemberExpr{X: x, Name: p.parseQuotedName()}
				continue
			}
			if p.tok != IDENT {
				p.unexpected("a property name after '.'")
			}
			x = &MemberExpr{X: x, Name: &Ident{NamePos: p.pos, Name: p.lit}}
			p.next()
		case LBRACK:
			pos := p.pos
			p.next()
			idx := p.parseExpr()
			p.expect(RBRACK)
			x = &IndexExpr{X: x, Lbrack: pos, Index: idx}
		default:
			return x
		}
	}
}

// typedLiterals are the type names that, followed by '(', make a literal
// of that type: int(5), datetime(2024-01-01), dynamic([1,2]), real(null).
var typedLiterals = map[string]string{
	"bool": "bool", "boolean": "bool",
	"int": "int", "long": "long",
	"real": "real", "double": "real",
	"decimal":  "decimal",
	"string":   "string",
	"datetime": "datetime", "date": "datetime",
	"timespan": "timespan", "time": "timespan",
	"guid": "guid", "uniqueid": "guid",
	"dynamic": "dynamic",
}

func (p *parser) parsePrimary() Expr {
	pos := p.pos
	switch p.tok {
	case INT:
		v, err := parseInt(p.lit)
		if err != nil {
			p.fail(pos, "integer %s does not fit in 64 bits", p.lit)
		}
		lit := &Literal{ValuePos: pos, Kind: LitInt, Value: v, Text: p.lit}
		p.next()
		return lit
	case REAL:
		v, err := strconv.ParseFloat(p.lit, 64)
		if err != nil {
			p.fail(pos, "invalid number %s", p.lit)
		}
		lit := &Literal{ValuePos: pos, Kind: LitReal, Value: v, Text: p.lit}
		p.next()
		return lit
	case TIMESPAN:
		ticks, ok := parseTimespanLiteral(p.lit)
		if !ok {
			p.fail(pos, "invalid timespan %s", p.lit)
		}
		lit := &Literal{ValuePos: pos, Kind: LitTimespan, Value: ticks, Text: p.lit}
		p.next()
		return lit
	case STRING:
		lit := &Literal{ValuePos: pos, Kind: LitString, Value: p.lit, Text: p.src[pos:p.end]}
		p.next()
		return lit
	case LPAREN:
		p.next()
		x := p.parseExpr()
		p.expect(RPAREN)
		return &ParenExpr{Lparen: pos, X: x}
	case LBRACK:
		return p.parseQuotedName()
	case STAR:
		p.next()
		return &StarExpr{Star: pos}
	case IDENT:
		return p.parseIdentExpr()
	}
	p.unexpected("an expression")
	return nil
}

// parseIdentExpr reads what starts with a word: a literal such as true or
// datetime(…), a tabular source such as union or print, a call, or a name.
func (p *parser) parseIdentExpr() Expr {
	pos, word := p.pos, p.lit
	switch strings.ToLower(word) {
	case "true", "false":
		p.next()
		return &Literal{ValuePos: pos, Kind: LitBool, Value: strings.EqualFold(word, "true"), Text: word}
	}
	if strings.HasPrefix(word, "!") {
		p.unexpected("an expression")
	}
	next, _ := p.peek()
	switch word {
	case "union":
		return p.parseUnionExpr()
	case "print":
		return p.parsePrint()
	case "datatable":
		return p.parseDatatable()
	case "range":
		if next == IDENT {
			return p.parseRange()
		}
	case "externaldata", "find", "search", "evaluate", "cluster", "database", "external_table", "materialized_view":
		if next != DOT {
			p.failSemantic(pos, "'%s' is not supported: callscope queries the tables of one workspace", word)
		}
	}
	if next == LPAREN {
		if t, ok := typedLiterals[word]; ok {
			return p.parseTypedLiteral(t)
		}
		return p.parseCall()
	}
	id := &Ident{NamePos: pos, Name: word}
	p.next()
	return id
}

func (p *parser) parseCall() *CallExpr {
	c := &CallExpr{Fun: &Ident{NamePos: p.pos, Name: p.lit}}
	p.next()
	c.Lparen = p.expect(LPAREN)
	for p.tok != RPAREN {
		c.Args = append(c.Args, p.parseArg())
		if p.tok != COMMA {
			break
		}
		p.next()
	}
	p.expect(RPAREN)
	return c
}

// parseArg reads a function argument: an expression or name = expression.
func (p *parser) parseArg() Expr {
	if p.tok == IDENT {
		if t, _ := p.peek(); t == ASSIGN {
			name := &Ident{NamePos: p.pos, Name: p.lit}
			p.next()
			p.next()
			return &NamedExpr{Names: []*Ident{name}, X: p.parseExpr()}
		}
	}
	return p.parseExpr()
}

// parseTypedLiteral reads type(value): the value is raw text for
// datetime, timespan and guid, JSON-like for dynamic, a number otherwise.
func (p *parser) parseTypedLiteral(typ string) Expr {
	pos := p.pos
	p.next() // the type name
	open := p.end
	if typ == "dynamic" {
		p.expect(LPAREN)
		if p.isWord("null") {
			p.next()
			p.expect(RPAREN)
			return &Literal{ValuePos: pos, Kind: LitDynamic, Value: DynamicValue{JSON: "null"}, Text: p.src[pos:p.pos]}
		}
		var b strings.Builder
		p.parseDynamicValue(&b)
		text := p.src[pos:p.end]
		p.expect(RPAREN)
		return &Literal{ValuePos: pos, Kind: LitDynamic, Value: DynamicValue{JSON: b.String()}, Text: text}
	}
	// The scanner sits just past '('; read the raw text up to ')'.
	p.sc.skipTo(open)
	raw, ok := p.sc.rawUntil(')')
	if !ok {
		p.fail(pos, "%s( is not closed with ')'", typ)
	}
	text := p.src[pos:p.sc.off]
	p.next()
	v := strings.TrimSpace(raw)
	if strings.EqualFold(v, "null") {
		return &Literal{ValuePos: pos, Kind: LitTypedNull, Value: typedNull(typ), Text: text}
	}
	lit := &Literal{ValuePos: pos, Text: text}
	switch typ {
	case "datetime":
		t, ok := ParseDatetime(v)
		if !ok {
			p.fail(pos, "invalid datetime literal %q", v)
		}
		lit.Kind, lit.Value = LitDatetime, t
	case "timespan":
		ticks, ok := ParseTimespan(v)
		if !ok {
			p.fail(pos, "invalid timespan literal %q", v)
		}
		lit.Kind, lit.Value = LitTimespan, ticks
	case "guid":
		g, ok := parseGUID(v)
		if !ok {
			p.fail(pos, "invalid guid literal %q", v)
		}
		lit.Kind, lit.Value = LitGUID, g
	case "bool":
		switch strings.ToLower(v) {
		case "true", "1":
			lit.Value = true
		case "false", "0":
			lit.Value = false
		default:
			p.fail(pos, "invalid bool literal %q", v)
		}
		lit.Kind = LitBool
	case "int", "long":
		n, err := parseInt(v)
		if err != nil || (typ == "int" && int64(int32(n)) != n) {
			p.fail(pos, "invalid %s literal %q", typ, v)
		}
		lit.Kind, lit.Value = LitInt, n
		if typ == "int" {
			lit.Kind = LitTypedInt
		}
	case "real", "decimal":
		f, err := strconv.ParseFloat(v, 64)
		if err != nil {
			switch strings.ToLower(v) {
			case "nan":
				f = nan()
			case "+inf", "inf":
				f = inf(1)
			case "-inf":
				f = inf(-1)
			default:
				p.fail(pos, "invalid %s literal %q", typ, v)
			}
		}
		lit.Kind, lit.Value = LitReal, f
		if typ == "decimal" {
			lit.Kind = LitDecimal
		}
	case "string":
		p.fail(pos, "write a string literal in quotes, not string(…)")
	}
	return lit
}

// DynamicValue is the value of a dynamic literal, as JSON text.
type DynamicValue struct{ JSON string }

// parseDynamicValue reads the inside of dynamic(…) and writes it as JSON.
// KQL's form is looser than JSON: single-quoted strings, and datetime or
// timespan literals as values.
func (p *parser) parseDynamicValue(b *strings.Builder) {
	p.enter()
	defer p.leave()
	switch p.tok {
	case LBRACK:
		p.next()
		b.WriteByte('[')
		for i := 0; p.tok != RBRACK; i++ {
			if i > 0 {
				b.WriteByte(',')
			}
			p.parseDynamicValue(b)
			if p.tok != COMMA {
				break
			}
			p.next()
		}
		p.expect(RBRACK)
		b.WriteByte(']')
	case LBRACE:
		p.next()
		b.WriteByte('{')
		for i := 0; p.tok != RBRACE; i++ {
			if i > 0 {
				b.WriteByte(',')
			}
			if p.tok != STRING && p.tok != IDENT {
				p.unexpected("a property name")
			}
			b.WriteString(strconv.Quote(p.lit))
			p.next()
			p.expect(COLON)
			b.WriteByte(':')
			p.parseDynamicValue(b)
			if p.tok != COMMA {
				break
			}
			p.next()
		}
		p.expect(RBRACE)
		b.WriteByte('}')
	case STRING:
		b.WriteString(jsonString(p.lit))
		p.next()
	case INT, REAL:
		b.WriteString(p.lit)
		p.next()
	case MINUS:
		p.next()
		if p.tok != INT && p.tok != REAL {
			p.unexpected("a number")
		}
		b.WriteString("-" + p.lit)
		p.next()
	case IDENT:
		switch strings.ToLower(p.lit) {
		case "true", "false", "null":
			b.WriteString(strings.ToLower(p.lit))
			p.next()
			return
		}
		if t, ok := typedLiterals[p.lit]; ok && (t == "datetime" || t == "timespan") {
			lit := p.parseTypedLiteral(t).(*Literal)
			b.WriteString(jsonString(FormatValue(lit.Value, lit.Kind)))
			return
		}
		p.unexpected("a value (string, number, true, false, null, [ or {)")
	default:
		p.unexpected("a value (string, number, true, false, null, [ or {)")
	}
}

// ---- tabular sources ----

func (p *parser) parseUnionExpr() *UnionExpr {
	pos := p.pos
	p.next()
	return p.parseUnionOperands(pos)
}

// parseUnionTable reads one table of union: a name (with '*' wildcards), a
// call, or a parenthesised query.
func (p *parser) parseUnionTable() Expr {
	switch p.tok {
	case LPAREN:
		pos := p.pos
		p.next()
		x := p.parseExpr()
		p.expect(RPAREN)
		return &ParenExpr{Lparen: pos, X: x}
	case IDENT, STAR:
		if pat, ok := p.tryPattern(); ok {
			return pat
		}
		return p.parsePostfix(p.parseIdentExpr())
	case LBRACK:
		return p.parseQuotedName()
	}
	p.unexpected("a table")
	return nil
}

// tryPattern reads a name that contains '*' written without spaces
// (ACSCall*, *Id). It leaves the parser alone and returns false for a plain
// name.
func (p *parser) tryPattern() (*PatternExpr, bool) {
	s := p.save()
	start := p.pos
	var b strings.Builder
	last := int(start)
	star := false
	for (p.tok == IDENT || p.tok == STAR) && int(p.pos) == last {
		if p.tok == STAR {
			star = true
		}
		b.WriteString(p.lit)
		last = p.end
		p.next()
	}
	if !star || b.Len() == 0 {
		p.restore(s)
		return nil, false
	}
	return &PatternExpr{PatPos: start, Pattern: b.String()}, true
}

func (p *parser) parsePrint() *PrintExpr {
	e := &PrintExpr{Print: p.pos}
	p.next()
	for {
		e.Items = append(e.Items, p.parseColumnItem())
		if p.tok != COMMA {
			break
		}
		p.next()
	}
	return e
}

func (p *parser) parseDatatable() *DatatableExpr {
	d := &DatatableExpr{Datatable: p.pos}
	p.next()
	p.expect(LPAREN)
	for p.tok != RPAREN {
		c := &Param{Name: p.parseName()}
		p.expect(COLON)
		c.Type = p.parseName()
		d.Columns = append(d.Columns, c)
		if p.tok != COMMA {
			break
		}
		p.next()
	}
	p.expect(RPAREN)
	p.expect(LBRACK)
	for p.tok != RBRACK {
		d.Values = append(d.Values, p.parseAdditive())
		if p.tok != COMMA {
			break
		}
		p.next()
	}
	p.expect(RBRACK)
	return d
}

func (p *parser) parseRange() *RangeExpr {
	r := &RangeExpr{Range: p.pos}
	p.next()
	r.Name = p.parseName()
	p.expectWord("from")
	r.From = p.parseAdditive()
	p.expectWord("to")
	r.To = p.parseAdditive()
	p.expectWord("step")
	r.Step = p.parseAdditive()
	return r
}

// ---- tabular operators ----

// operatorName reads the operator after '|', joining hyphenated names
// (project-away, mv-expand) written without spaces.
func (p *parser) operatorName() (Pos, string) {
	pos := p.pos
	if p.tok != IDENT {
		p.unexpected("a tabular operator such as where, project, extend or summarize")
	}
	name := p.lit
	p.next()
	for p.tok == MINUS && int(p.pos) == int(pos)+len(name) {
		s := p.save()
		p.next()
		if p.tok != IDENT || int(p.pos) != int(pos)+len(name)+1 {
			p.restore(s)
			break
		}
		name += "-" + p.lit
		p.next()
	}
	return pos, name
}

var unsupportedOperators = map[string]bool{
	"mv-apply": true, "top-nested": true, "top-hitters": true, "invoke": true, "facet": true, "fork": true,
	"partition": true, "reduce": true, "sample": true, "sample-distinct": true, "scan": true, "consume": true,
	"search": true, "find": true, "project-smart": true, "make-graph": true, "graph-match": true,
	"execute-and-cache": true, "externaldata": true,
}

func (p *parser) parseOperator() Operator {
	p.enter()
	defer p.leave()
	pos, name := p.operatorName()
	base := OpBase{OpPos: pos, OpName: name}
	switch name {
	case "where", "filter":
		return &WhereOp{OpBase: base, Pred: p.parseOr()}
	case "project", "extend":
		return &ProjectOp{OpBase: base, Items: p.parseColumnItems()}
	case "project-away", "project-keep", "project-reorder":
		return &ColumnsOp{OpBase: base, Columns: p.parseColumnPatterns(name == "project-reorder")}
	case "project-rename":
		op := &ProjectRenameOp{OpBase: base}
		for {
			n := p.parseName()
			p.expect(ASSIGN)
			old := p.parseName()
			op.Items = append(op.Items, &NamedExpr{Names: []*Ident{n}, X: old})
			if p.tok != COMMA {
				break
			}
			p.next()
		}
		return op
	case "summarize":
		op := &SummarizeOp{OpBase: base, Params: p.parseOpParams()}
		if !p.isWord("by") {
			op.Aggs = p.parseColumnItemsUntil("by")
		}
		if p.isWord("by") {
			p.next()
			op.By = p.parseColumnItems()
		}
		return op
	case "distinct":
		op := &DistinctOp{OpBase: base}
		if p.tok == STAR {
			op.Items = []Expr{&StarExpr{Star: p.pos}}
			p.next()
			return op
		}
		op.Items = p.parseColumnItems()
		return op
	case "count":
		return &CountOp{OpBase: base}
	case "sort", "order":
		p.expectWord("by")
		return &SortOp{OpBase: base, Keys: p.parseSortKeys()}
	case "top":
		op := &TopOp{OpBase: base, N: p.parseAdditive()}
		p.expectWord("by")
		op.Keys = p.parseSortKeys()
		return op
	case "take", "limit":
		return &TakeOp{OpBase: base, N: p.parseAdditive()}
	case "join", "lookup":
		op := &JoinOp{OpBase: base, Params: p.parseOpParams()}
		op.Right = p.parseJoinRight()
		p.expectWord("on")
		for {
			op.On = append(op.On, p.parseComparison())
			if p.tok != COMMA {
				break
			}
			p.next()
		}
		return op
	case "union":
		return &UnionOp{OpBase: base, Union: p.parseUnionOperands(pos)}
	case "mv-expand", "mvexpand":
		return p.parseMvExpand(base)
	case "make-series":
		return p.parseMakeSeries(base)
	case "parse":
		return p.parseParse(base)
	case "serialize":
		op := &SerializeOp{OpBase: base}
		if p.tok != PIPE && p.tok != EOF && p.tok != RPAREN && p.tok != SEMI {
			op.Items = p.parseColumnItems()
		}
		return op
	case "render":
		return p.parseRender(base)
	case "evaluate":
		op := &EvaluateOp{OpBase: base}
		p.parseOpParams()
		if p.tok != IDENT {
			p.unexpected("a plugin name")
		}
		op.Call = p.parseCall()
		return op
	case "getschema":
		return &GetSchemaOp{OpBase: base}
	case "as":
		p.parseOpParams()
		return &AsOp{OpBase: base, As: p.parseName()}
	}
	if unsupportedOperators[name] {
		p.failSemantic(pos, "the '%s' operator is not supported by callscope", name)
	}
	p.fail(pos, "'%s' is not a tabular operator; after '|' comes an operator such as where, project, extend or summarize", name)
	return nil
}

// parseOpParams reads an operator's name=value parameters (kind=inner,
// hint.strategy=shuffle, with_itemindex=i).
func (p *parser) parseOpParams() []*NamedExpr {
	var out []*NamedExpr
	for p.tok == IDENT {
		s := p.save()
		namePos := p.pos
		name := p.lit
		p.next()
		for p.tok == DOT {
			p.next()
			if p.tok != IDENT {
				p.restore(s)
				return out
			}
			name += "." + p.lit
			p.next()
		}
		if p.tok != ASSIGN {
			p.restore(s)
			return out
		}
		if !strings.Contains(name, ".") && !operatorParams[name] {
			// "summarize x = count()" names a column; only known
			// parameter names are parameters.
			p.restore(s)
			return out
		}
		p.next()
		out = append(out, &NamedExpr{Names: []*Ident{{NamePos: namePos, Name: name}}, X: p.parseParamValue()})
	}
	return out
}

var operatorParams = map[string]bool{
	"kind": true, "withsource": true, "with_itemindex": true, "bagexpansion": true, "isfuzzy": true,
	"flags": true, "with_source": true,
}

// parseParamValue reads the value of an operator parameter: a word, a
// number or a string, never a call ("kind=inner (T)" is not inner(T)).
func (p *parser) parseParamValue() Expr {
	switch p.tok {
	case IDENT:
		if strings.EqualFold(p.lit, "true") || strings.EqualFold(p.lit, "false") {
			return p.parseIdentExpr()
		}
		id := &Ident{NamePos: p.pos, Name: p.lit}
		p.next()
		return id
	case INT, REAL, STRING, TIMESPAN:
		return p.parsePrimary()
	}
	p.unexpected("a parameter value")
	return nil
}

func (p *parser) parseJoinRight() Expr {
	switch p.tok {
	case LPAREN:
		pos := p.pos
		p.next()
		x := p.parseExpr()
		p.expect(RPAREN)
		return &ParenExpr{Lparen: pos, X: x}
	case IDENT, LBRACK:
		return p.parsePostfix(p.parsePrimary())
	}
	p.unexpected("the right side of the join: a table name or a query in parentheses")
	return nil
}

func (p *parser) parseUnionOperands(pos Pos) *UnionExpr {
	// Reuse the source form's parser from the parameters on.
	u := &UnionExpr{Union: pos, Kind: "outer"}
	for _, prm := range p.parseOpParams() {
		switch prm.Names[0].Name {
		case "kind":
			id, ok := prm.X.(*Ident)
			if !ok || (id.Name != "inner" && id.Name != "outer") {
				p.fail(prm.X.Pos(), "union kind must be inner or outer")
			}
			u.Kind = id.Name
		case "withsource", "with_source":
			id, ok := prm.X.(*Ident)
			if !ok {
				p.fail(prm.X.Pos(), "withsource needs a column name")
			}
			u.WithSource = id
		case "isfuzzy":
		default:
			p.fail(prm.Pos(), "unknown union parameter '%s'", prm.Names[0].Name)
		}
	}
	for {
		u.Tables = append(u.Tables, p.parseUnionTable())
		if p.tok != COMMA {
			break
		}
		p.next()
	}
	return u
}

// parseColumnItems reads a comma-separated list of columns: expressions,
// Name = expression, or (A, B) = expression.
func (p *parser) parseColumnItems() []Expr {
	return p.parseColumnItemsUntil("")
}

func (p *parser) parseColumnItemsUntil(stop string) []Expr {
	var out []Expr
	for {
		if stop != "" && p.isWord(stop) {
			break
		}
		out = append(out, p.parseColumnItem())
		if p.tok != COMMA {
			break
		}
		p.next()
	}
	return out
}

func (p *parser) parseColumnItem() Expr {
	switch p.tok {
	case IDENT, LBRACK:
		s := p.save()
		if p.tok == IDENT && (strings.HasPrefix(p.lit, "!") || strings.HasPrefix(p.lit, "$")) {
			break
		}
		name := p.parseName()
		if p.tok == ASSIGN {
			p.next()
			return &NamedExpr{Names: []*Ident{name}, X: p.parseOr()}
		}
		p.restore(s)
	case LPAREN:
		// (A, B) = f(x): several names for a function that returns several values.
		s := p.save()
		p.next()
		var names []*Ident
		for p.tok == IDENT || p.tok == LBRACK {
			names = append(names, p.parseName())
			if p.tok != COMMA {
				break
			}
			p.next()
		}
		if len(names) > 0 && p.tok == RPAREN {
			p.next()
			if p.tok == ASSIGN {
				p.next()
				return &NamedExpr{Names: names, X: p.parseOr()}
			}
		}
		p.restore(s)
	}
	return p.parseOr()
}

// parseColumnPatterns reads names and name patterns (Col*, *Id) for
// project-away, project-keep and project-reorder.
func (p *parser) parseColumnPatterns(orderWords bool) []Expr {
	var out []Expr
	for {
		if pat, ok := p.tryPattern(); ok {
			out = append(out, pat)
		} else {
			out = append(out, p.parseName())
		}
		if orderWords && (p.isWord("asc") || p.isWord("desc") || p.isWord("granny-asc") || p.isWord("granny-desc")) {
			p.next()
		}
		if p.tok != COMMA {
			break
		}
		p.next()
	}
	return out
}

func (p *parser) parseSortKeys() []*SortKey {
	var out []*SortKey
	for {
		k := &SortKey{X: p.parseOr(), Desc: true}
		switch {
		case p.isWord("asc"):
			k.Desc = false
			p.next()
		case p.isWord("desc"):
			p.next()
		}
		if p.isWord("nulls") {
			p.next()
			switch {
			case p.isWord("first"):
				k.NullsFirst = true
			case p.isWord("last"):
			default:
				p.unexpected("first or last")
			}
			k.NullsSet = true
			p.next()
		}
		out = append(out, k)
		if p.tok != COMMA {
			break
		}
		p.next()
	}
	return out
}

// parseSingleNamedItem parses "expr" or "Name = expr", where a tuple of
// names is an error with the given message.
func (p *parser) parseSingleNamedItem(tupleError string) (*Ident, Expr) {
	x := p.parseColumnItem()
	n, ok := x.(*NamedExpr)
	if !ok {
		return nil, x
	}
	if len(n.Names) != 1 {
		p.fail(n.Pos(), "%s", tupleError)
	}
	return n.Names[0], n.X
}

func (p *parser) parseMvExpand(base OpBase) *MvExpandOp {
	op := &MvExpandOp{OpBase: base, Params: p.parseOpParams()}
	for {
		it := &MvExpandItem{}
		it.Name, it.X = p.parseSingleNamedItem("mv-expand takes one name per column")
		if p.isWord("to") {
			p.next()
			p.expectWord("typeof")
			p.expect(LPAREN)
			it.To = p.parseName().Name
			p.expect(RPAREN)
		}
		op.Items = append(op.Items, it)
		if p.tok != COMMA {
			break
		}
		p.next()
	}
	if p.isWord("limit") {
		p.next()
		op.Limit = p.parseAdditive()
	}
	return op
}

func (p *parser) parseMakeSeries(base OpBase) *MakeSeriesOp {
	op := &MakeSeriesOp{OpBase: base}
	p.parseOpParams()
	for {
		a := &MakeSeriesAgg{}
		a.Name, a.X = p.parseSingleNamedItem("make-series takes one name per aggregation")
		if p.isWord("default") {
			p.next()
			p.expect(ASSIGN)
			a.Default = p.parseUnary()
		}
		op.Aggs = append(op.Aggs, a)
		if p.tok != COMMA {
			break
		}
		p.next()
	}
	p.expectWord("on")
	op.On = p.parseAdditive()
	if p.isWord("in") {
		// The older form: in range(start, stop, step).
		p.next()
		if !p.isWord("range") {
			p.unexpected("range(start, stop, step)")
		}
		c := p.parseCall()
		if len(c.Args) != 3 {
			p.fail(c.Pos(), "range takes start, stop and step")
		}
		op.From, op.To, op.Step = c.Args[0], c.Args[1], c.Args[2]
	} else {
		if p.isWord("from") {
			p.next()
			op.From = p.parseAdditive()
		}
		if p.isWord("to") {
			p.next()
			op.To = p.parseAdditive()
		}
		p.expectWord("step")
		op.Step = p.parseAdditive()
	}
	if p.isWord("by") {
		p.next()
		op.By = p.parseColumnItems()
	}
	return op
}

func (p *parser) parseParse(base OpBase) *ParseOp {
	op := &ParseOp{OpBase: base, Kind: "simple"}
	for _, prm := range p.parseOpParams() {
		if prm.Names[0].Name == "kind" {
			id, ok := prm.X.(*Ident)
			if !ok || (id.Name != "simple" && id.Name != "regex" && id.Name != "relaxed") {
				p.fail(prm.X.Pos(), "parse kind must be simple, relaxed or regex")
			}
			op.Kind = id.Name
		}
	}
	op.Source = p.parseAdditive()
	p.expectWord("with")
	for {
		switch p.tok {
		case STRING:
			op.Parts = append(op.Parts, ParsePart{Literal: p.lit})
			p.next()
			continue
		case STAR:
			op.Parts = append(op.Parts, ParsePart{Wildcard: true})
			p.next()
			continue
		case IDENT, LBRACK:
			part := ParsePart{Column: p.parseName()}
			if p.tok == COLON {
				p.next()
				part.Type = p.parseName().Name
			}
			op.Parts = append(op.Parts, part)
			continue
		}
		break
	}
	if len(op.Parts) == 0 {
		p.unexpected("a parse pattern of strings, column names and '*'")
	}
	return op
}

func (p *parser) parseRender(base OpBase) *RenderOp {
	op := &RenderOp{OpBase: base}
	if p.tok != IDENT {
		p.unexpected("a visualization such as timechart, columnchart or piechart")
	}
	op.Visual = p.lit
	p.next()
	if p.isWord("with") {
		p.next()
		p.expect(LPAREN)
		op.Props = p.parseRenderProps()
		p.expect(RPAREN)
		return op
	}
	// The older form: properties follow the name without "with (…)".
	op.Props = p.parseRenderProps()
	return op
}

// parseRenderProps reads name = value, …; ycolumns and series take a list
// of column names.
func (p *parser) parseRenderProps() []*NamedExpr {
	var out []*NamedExpr
	for p.tok == IDENT {
		if t, _ := p.peek(); t != ASSIGN {
			break
		}
		name := &Ident{NamePos: p.pos, Name: p.lit}
		p.next()
		p.next()
		var val Expr
		if name.Name == "ycolumns" || name.Name == "series" || name.Name == "anomalycolumns" {
			var names []string
			names = append(names, p.parseName().Name)
			for p.tok == COMMA {
				s := p.save()
				p.next()
				if p.tok == IDENT {
					if t, _ := p.peek(); t != ASSIGN {
						names = append(names, p.parseName().Name)
						continue
					}
				}
				p.restore(s)
				break
			}
			val = &Literal{ValuePos: name.NamePos, Kind: LitString, Value: strings.Join(names, ","), Text: strings.Join(names, ",")}
		} else {
			val = p.parseAdditive()
		}
		out = append(out, &NamedExpr{Names: []*Ident{name}, X: val})
		if p.tok == COMMA {
			p.next()
		}
	}
	return out
}

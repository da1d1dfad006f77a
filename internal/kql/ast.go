package kql

// The abstract syntax tree. It records what the text says and where; it
// does not know whether a name is a table, a column or a let-bound value:
// that is the semantic pass's job (check.go).
//
// Tabular and scalar expressions share the Expr interface because KQL's
// grammar does not separate them: "(x)" may be a parenthesised number or a
// sub-query, "x in (T)" may list values or read a table.

// Node is any node of the tree.
type Node interface {
	Pos() Pos // position of the first character
}

// Query is a whole query: statements separated by ';', the last of which
// normally is the tabular expression whose result is returned.
type Query struct {
	Stmts []Stmt
}

// Stmt is a statement.
type Stmt interface {
	Node
	stmt()
}

// LetStmt binds a name: let Name = Value; or let Name = (params) { body };
type LetStmt struct {
	Let   Pos
	Name  *Ident
	Value Expr     // a scalar or tabular expression; nil for a function
	Func  *FuncLit // a user-defined function; nil otherwise
}

// FuncLit is a user-defined function: (a:string, b:long = 5) { body }.
type FuncLit struct {
	Lparen Pos
	Params []*Param
	Body   *Query // let statements and the final expression
}

// Param is a declared parameter of a function or of declare query_parameters.
type Param struct {
	Name    *Ident
	Type    *Ident // a scalar type name, or "*"-less tabular schemas are not supported
	Default Expr   // nil if none
}

// DeclareStmt is declare query_parameters(name:type = default, …).
type DeclareStmt struct {
	Declare Pos
	Params  []*Param
}

// ExprStmt is an expression used as a statement: the query's result.
type ExprStmt struct {
	X Expr
}

// SetStmt is set option = value; (client request properties). Options are
// accepted and ignored, as the Log Analytics API does for most of them.
type SetStmt struct {
	Set   Pos
	Name  string
	Value Expr
}

func (s *LetStmt) Pos() Pos     { return s.Let }
func (s *DeclareStmt) Pos() Pos { return s.Declare }
func (s *ExprStmt) Pos() Pos    { return s.X.Pos() }
func (s *SetStmt) Pos() Pos     { return s.Set }
func (*LetStmt) stmt()          {}
func (*DeclareStmt) stmt()      {}
func (*ExprStmt) stmt()         {}
func (*SetStmt) stmt()          {}

// Expr is an expression, scalar or tabular.
type Expr interface {
	Node
	expr()
}

type (
	// Ident is a name: a table, column, let-bound name or function.
	// Quoted names (['my column']) have Quoted set.
	Ident struct {
		NamePos Pos
		Name    string
		Quoted  bool
	}

	// Literal is a constant. Kind is Int, Real, String, Timespan, or one
	// of the typed forms below; Value holds the decoded value:
	// int64, float64, string, int64 ticks, bool, time.Time, nil for a
	// typed null, or a parsed dynamic value.
	Literal struct {
		ValuePos Pos
		Kind     LitKind
		Value    any
		Text     string // the literal as written
	}

	// BinaryExpr is X Op Y for arithmetic, comparison, logical and
	// string operators (Op is the operator's text: "+", "==", "and",
	// "contains", "!has", "matches regex", …).
	BinaryExpr struct {
		X     Expr
		OpPos Pos
		Op    string
		Y     Expr
	}

	// UnaryExpr is -X or +X.
	UnaryExpr struct {
		OpPos Pos
		Op    string
		X     Expr
	}

	// InExpr is X in (list), X !in (list), in~ and !in~. The list may
	// hold values, a dynamic array or one tabular expression.
	InExpr struct {
		X     Expr
		OpPos Pos
		Op    string // "in", "!in", "in~", "!in~", "has_any", "has_all"
		List  []Expr
	}

	// BetweenExpr is X between (Lo .. Hi) and X !between (Lo .. Hi).
	BetweenExpr struct {
		X      Expr
		OpPos  Pos
		Not    bool
		Lo, Hi Expr
	}

	// CallExpr is a function call: Fun(Args). Arguments may be named
	// (f(x, name=value)).
	CallExpr struct {
		Fun    *Ident
		Lparen Pos
		Args   []Expr
	}

	// NamedExpr is Name = X: a named argument, or a named column in
	// project, extend and summarize. Names holds several names for the
	// tuple form (a, b) = f(x).
	NamedExpr struct {
		Names []*Ident
		X     Expr
	}

	// MemberExpr is X.Name, a property of a dynamic value (or, for
	// $left/$right, a column of one side of a join).
	MemberExpr struct {
		X    Expr
		Name *Ident
	}

	// IndexExpr is X[Index], an element of a dynamic array or bag.
	IndexExpr struct {
		X      Expr
		Lbrack Pos
		Index  Expr
	}

	// ParenExpr is (X).
	ParenExpr struct {
		Lparen Pos
		X      Expr
	}

	// StarExpr is a lone '*': all columns, in project-away's patterns,
	// arg_max(x, *) or "* contains x".
	StarExpr struct {
		Star Pos
	}

	// PatternExpr is a column name pattern with '*' wildcards (Col*).
	PatternExpr struct {
		PatPos  Pos
		Pattern string
	}

	// TypeExpr names a scalar type: typeof(string), or a cast target.
	TypeExpr struct {
		TypePos Pos
		Name    string
	}
)

// LitKind tells how a Literal was written, which decides its type.
type LitKind uint8

const (
	LitInt       LitKind = iota + 1 // 42: long
	LitReal                         // 4.2: real
	LitString                       // 'x'
	LitBool                         // true, false
	LitTimespan                     // 1h, time(1h), timespan(…)
	LitDatetime                     // datetime(2024-01-01)
	LitDynamic                      // dynamic([1, "a"])
	LitGUID                         // guid(…)
	LitTypedNull                    // int(null), datetime(null), …: TypeName says which type
	LitTypedInt                     // int(5): an int, not a long
	LitDecimal                      // decimal(1.5)
)

// TypedLiteralType holds the type name of LitTypedNull and LitTypedInt literals.
func (l *Literal) TypeName() string {
	if n, ok := l.Value.(typedNull); ok {
		return string(n)
	}
	return ""
}

// typedNull is the Value of a LitTypedNull: the name of its type.
type typedNull string

func (x *Ident) Pos() Pos       { return x.NamePos }
func (x *Literal) Pos() Pos     { return x.ValuePos }
func (x *BinaryExpr) Pos() Pos  { return x.X.Pos() }
func (x *UnaryExpr) Pos() Pos   { return x.OpPos }
func (x *InExpr) Pos() Pos      { return x.X.Pos() }
func (x *BetweenExpr) Pos() Pos { return x.X.Pos() }
func (x *CallExpr) Pos() Pos    { return x.Fun.Pos() }
func (x *NamedExpr) Pos() Pos   { return x.Names[0].Pos() }
func (x *MemberExpr) Pos() Pos  { return x.X.Pos() }
func (x *IndexExpr) Pos() Pos   { return x.X.Pos() }
func (x *ParenExpr) Pos() Pos   { return x.Lparen }
func (x *StarExpr) Pos() Pos    { return x.Star }
func (x *PatternExpr) Pos() Pos { return x.PatPos }
func (x *TypeExpr) Pos() Pos    { return x.TypePos }

func (*Ident) expr()       {}
func (*Literal) expr()     {}
func (*BinaryExpr) expr()  {}
func (*UnaryExpr) expr()   {}
func (*InExpr) expr()      {}
func (*BetweenExpr) expr() {}
func (*CallExpr) expr()    {}
func (*NamedExpr) expr()   {}
func (*MemberExpr) expr()  {}
func (*IndexExpr) expr()   {}
func (*ParenExpr) expr()   {}
func (*StarExpr) expr()    {}
func (*PatternExpr) expr() {}
func (*TypeExpr) expr()    {}

// Tabular expressions.
type (
	// PipeExpr is Source | Op1 | Op2 ….
	PipeExpr struct {
		Source Expr
		Ops    []Operator
	}

	// UnionExpr is union [kind=…] [withsource=Name] T1, T2, … as a
	// source; as an operator it is UnionOp.
	UnionExpr struct {
		Union      Pos
		Kind       string // "outer" (default) or "inner"
		WithSource *Ident
		Tables     []Expr
	}

	// DatatableExpr is datatable(a:long, b:string) [1, "x", …].
	DatatableExpr struct {
		Datatable Pos
		Columns   []*Param
		Values    []Expr
	}

	// PrintExpr is print [Name =] X, ….
	PrintExpr struct {
		Print Pos
		Items []Expr
	}

	// RangeExpr is range Name from Start to Stop step Step.
	RangeExpr struct {
		Range          Pos
		Name           *Ident
		From, To, Step Expr
	}
)

func (x *PipeExpr) Pos() Pos      { return x.Source.Pos() }
func (x *UnionExpr) Pos() Pos     { return x.Union }
func (x *DatatableExpr) Pos() Pos { return x.Datatable }
func (x *PrintExpr) Pos() Pos     { return x.Print }
func (x *RangeExpr) Pos() Pos     { return x.Range }

func (*PipeExpr) expr()      {}
func (*UnionExpr) expr()     {}
func (*DatatableExpr) expr() {}
func (*PrintExpr) expr()     {}
func (*RangeExpr) expr()     {}

// Operator is one tabular operator after a '|'.
type Operator interface {
	Node
	Name() string // the operator as written: "where", "project-away", …
}

// OpBase holds what every operator has: its name and position.
type OpBase struct {
	OpPos  Pos
	OpName string
}

func (o *OpBase) Pos() Pos     { return o.OpPos }
func (o *OpBase) Name() string { return o.OpName }

type (
	// WhereOp is where Pred (also filter).
	WhereOp struct {
		OpBase
		Pred Expr
	}

	// ProjectOp is project, extend, project-keep: a list of columns,
	// each an expression or Name = expression.
	ProjectOp struct {
		OpBase
		Items []Expr
	}

	// ProjectAwayOp is project-away and project-keep with name
	// patterns, and project-reorder.
	ColumnsOp struct {
		OpBase
		Columns []Expr // Ident, PatternExpr; for project-reorder an optional asc/desc is ignored
	}

	// ProjectRenameOp is project-rename New = Old, ….
	ProjectRenameOp struct {
		OpBase
		Items []*NamedExpr
	}

	// SummarizeOp is summarize [hints] Aggs [by Keys].
	SummarizeOp struct {
		OpBase
		Params []*NamedExpr // hint.strategy = shuffle and the like
		Aggs   []Expr
		By     []Expr
	}

	// DistinctOp is distinct Cols (or *).
	DistinctOp struct {
		OpBase
		Items []Expr
	}

	// CountOp is count [as Name].
	CountOp struct {
		OpBase
	}

	// SortOp is sort by / order by.
	SortOp struct {
		OpBase
		Keys []*SortKey
	}

	// TopOp is top N by Key [asc|desc] [nulls first|last].
	TopOp struct {
		OpBase
		N    Expr
		Keys []*SortKey
	}

	// TakeOp is take N / limit N.
	TakeOp struct {
		OpBase
		N Expr
	}

	// JoinOp is join [kind=…] [hints] (Right) on Conditions, and lookup.
	JoinOp struct {
		OpBase
		Params []*NamedExpr // kind=…, hint.*=…
		Right  Expr
		On     []Expr // Ident (same name both sides) or $left.a == $right.b
	}

	// UnionOp is T | union [kind=…] [withsource=…] U, ….
	UnionOp struct {
		OpBase
		Union *UnionExpr
	}

	// MvExpandOp is mv-expand [kind=…] [with_itemindex=Name] Col [to typeof(T)], … [limit N].
	MvExpandOp struct {
		OpBase
		Params []*NamedExpr
		Items  []*MvExpandItem
		Limit  Expr
	}

	// MakeSeriesOp is make-series Aggs on Axis [from A] [to B] step S [by Keys].
	MakeSeriesOp struct {
		OpBase
		Aggs     []*MakeSeriesAgg
		On       Expr
		From, To Expr
		Step     Expr
		By       []Expr
	}

	// ParseOp is parse [kind=simple|regex] Source with Pattern.
	ParseOp struct {
		OpBase
		Kind   string
		Source Expr
		Parts  []ParsePart
	}

	// SerializeOp is serialize [Name = expr, …].
	SerializeOp struct {
		OpBase
		Items []Expr
	}

	// RenderOp is render Visualization [with (k=v, …)] or with k=v after the name.
	RenderOp struct {
		OpBase
		Visual string
		Props  []*NamedExpr
	}

	// EvaluateOp is evaluate plugin(args). callscope supports none of
	// the plugins yet; the checker names the plugin in its error.
	EvaluateOp struct {
		OpBase
		Call *CallExpr
	}

	// GetSchemaOp is getschema.
	GetSchemaOp struct {
		OpBase
	}

	// AsOp is as Name: names the input for union's withsource; a no-op otherwise.
	AsOp struct {
		OpBase
		As *Ident
	}
)

// SortKey is one key of sort, order and top.
type SortKey struct {
	X          Expr
	Desc       bool
	NullsFirst bool
	NullsSet   bool // nulls first/last was written
}

// MvExpandItem is one column of mv-expand.
type MvExpandItem struct {
	Name *Ident // the column to create or replace; nil to use X's column name
	X    Expr
	To   string // the element type of "to typeof(T)"; empty for dynamic
}

// MakeSeriesAgg is one aggregation of make-series with its default.
type MakeSeriesAgg struct {
	Name    *Ident
	X       Expr
	Default Expr
}

// ParsePart is one piece of a parse pattern: a literal string to match, a
// column to capture (with an optional type), or a '*' wildcard.
type ParsePart struct {
	Literal  string
	Column   *Ident
	Type     string
	Wildcard bool
}

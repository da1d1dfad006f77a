package kql

import (
	"time"

	"github.com/callscope/callscope/internal/schema"
)

// The checked query. Check turns the syntax tree into this tree of
// relational operators (Plan) over typed scalar expressions (Scalar). Every
// name is resolved: tables to schema tables, columns to positions in their
// input, functions to operations. Nothing here is specific to an engine;
// package sqlgen writes it as SQL through a dialect.

// Type is a KQL scalar type; it is the Log Analytics column type.
type Type = schema.Type

// Column is one column of a relation.
type Column struct {
	Name string
	Type Type
}

// Plan is a relational operator: it produces rows with Columns.
type Plan interface {
	Columns() []Column
}

type (
	// Scan reads a table of the workspace. From and To, when set, bound
	// its time column (the query's timespan).
	Scan struct {
		Table    *schema.Table
		Cols     []Column
		TimeCol  int // position of the time column the timespan filters, -1 if none
		From, To *time.Time
	}

	// Filter keeps the rows for which Pred is true.
	Filter struct {
		Input Plan
		Pred  Scalar
	}

	// Project computes one expression per output column.
	Project struct {
		Input Plan
		Exprs []Scalar
		Cols  []Column
	}

	// Aggregate groups by Keys and computes Aggs per group. Its columns
	// are the keys, then each aggregate's outputs (arg_max has several).
	Aggregate struct {
		Input Plan
		Keys  []Scalar
		Aggs  []*AggCall
		Cols  []Column
	}

	// Sort orders rows; it makes its output serialized.
	Sort struct {
		Input Plan
		Keys  []SortKeyIR
	}

	// Limit keeps the first N rows (of a serialized input, the first N in
	// order; otherwise any N).
	Limit struct {
		Input Plan
		N     int64
	}

	// Serialize marks its input as ordered as it comes, so that window
	// functions may run over it.
	Serialize struct {
		Input Plan
	}

	// Join combines two inputs. Keys pair a left and a right expression
	// that must be equal. Cols are the left columns kept (LeftOut, by
	// position) then the right ones (RightOut), renamed where names clash.
	Join struct {
		Left, Right         Plan
		Kind                JoinKind
		LeftKeys, RightKeys []Scalar
		LeftOut, RightOut   []int
		Cols                []Column
	}

	// Union concatenates inputs. Map[i][c] is the position of output
	// column c in input i, or -1 where that input lacks it (null). Source,
	// when set, is the column that names each row's input.
	Union struct {
		Inputs      []Plan
		Map         [][]int
		Cols        []Column
		SourceNames []string // one per input, for the withsource column (column 0)
	}

	// MvExpand expands dynamic arrays into rows. Each item expands Exprs[i]
	// into output column Targets[i]; the other columns are copied.
	MvExpand struct {
		Input   Plan
		Exprs   []Scalar
		Targets []int  // output column of each expanded item
		ToTypes []Type // element type of each item (Dynamic if not cast)
		Limit   int64  // most rows per input row, 0 for no limit
		Cols    []Column
	}

	// Values is a constant table (datatable, print).
	Values struct {
		Cols []Column
		Rows [][]Scalar
	}

	// Range is range Name from From to To step Step.
	Range struct {
		Col            Column
		From, To, Step Scalar
	}

	// Shared is a tabular value bound by let and used where it is named.
	// Every use points to the same Shared, so the generator computes it
	// once; Materialize asks the engine to keep its result.
	Shared struct {
		Name        string
		Input       Plan
		Materialize bool
	}
)

// SortKeyIR is one key of a Sort.
type SortKeyIR struct {
	X          Scalar
	Desc       bool
	NullsFirst bool
}

// JoinKind is the flavour of a join.
type JoinKind uint8

const (
	InnerUnique JoinKind = iota // Kusto's default: the left side deduplicated on the keys, then inner
	Inner
	LeftOuter
	RightOuter
	FullOuter
	LeftSemi
	LeftAnti
	RightSemi
	RightAnti
)

var joinKindNames = map[string]JoinKind{
	"innerunique": InnerUnique, "inner": Inner, "leftouter": LeftOuter, "rightouter": RightOuter,
	"fullouter": FullOuter, "outer": FullOuter, "leftsemi": LeftSemi, "leftanti": LeftAnti, "anti": LeftAnti,
	"leftantisemi": LeftAnti, "rightsemi": RightSemi, "rightanti": RightAnti, "rightantisemi": RightAnti,
	"semi": LeftSemi,
}

func (s *Scan) Columns() []Column      { return s.Cols }
func (f *Filter) Columns() []Column    { return f.Input.Columns() }
func (p *Project) Columns() []Column   { return p.Cols }
func (a *Aggregate) Columns() []Column { return a.Cols }
func (s *Sort) Columns() []Column      { return s.Input.Columns() }
func (l *Limit) Columns() []Column     { return l.Input.Columns() }
func (s *Serialize) Columns() []Column { return s.Input.Columns() }
func (j *Join) Columns() []Column      { return j.Cols }
func (u *Union) Columns() []Column     { return u.Cols }
func (m *MvExpand) Columns() []Column  { return m.Cols }
func (v *Values) Columns() []Column    { return v.Cols }
func (r *Range) Columns() []Column     { return []Column{r.Col} }
func (s *Shared) Columns() []Column    { return s.Input.Columns() }

// Scalar is a typed scalar expression.
type Scalar interface {
	Type() Type
}

type (
	// ColRef is a column of the input: Index is its position. In a
	// join's keys Side says which input (0 left, 1 right).
	ColRef struct {
		Index int
		Side  int
		Name  string
		T     Type
	}

	// Const is a constant. V is nil for null, else string, int64 (long,
	// int, and timespan in ticks), float64 (real, decimal), bool,
	// time.Time or DynamicValue.
	Const struct {
		V any
		T Type
	}

	// Call applies an operation to arguments.
	Call struct {
		Op   Op
		Args []Scalar
		T    Type
		// Path is the property path of OpMember: keys (string) and array
		// positions (int64) below Args[0].
		Path []any
		// Part names a unit for datetime_part, datetime_diff,
		// datetime_add and format_datetime's format.
		Part string
	}

	// Subquery is the single value of a one-column query (toscalar): the
	// first column of its first row.
	Subquery struct {
		Plan Plan
		T    Type
	}

	// InQuery is X in (T): X compared with the first column of T.
	InQuery struct {
		X    Scalar
		Plan Plan
		Not  bool
		CI   bool // in~: compare strings without regard to case
	}

	// Window is a function of a row's place in a serialized input:
	// prev, next, row_number, row_rank_dense, row_cumsum.
	Window struct {
		Op   Op
		Args []Scalar
		T    Type
	}
)

func (c *ColRef) Type() Type   { return c.T }
func (c *Const) Type() Type    { return c.T }
func (c *Call) Type() Type     { return c.T }
func (s *Subquery) Type() Type { return s.T }
func (*InQuery) Type() Type    { return schema.Bool }
func (w *Window) Type() Type   { return w.T }

// AggCall is one aggregation of a summarize.
type AggCall struct {
	Func AggFunc
	Args []Scalar // the aggregated expression(s); for arg_max the ones returned after the first
	If   Scalar   // the predicate of the *if forms, nil otherwise
	// Params are constant arguments: the percentile ranks, make_list's
	// size limit.
	Params []float64
	// Outputs is how many columns the aggregation yields: 1, or for
	// percentiles one per rank, for arg_max/arg_min 1 + len(Args)-1.
	Outputs int
	T       []Type // the type of each output
}

// AggFunc names an aggregation.
type AggFunc uint8

const (
	AggCount AggFunc = iota + 1
	AggCountIf
	AggDcount // exact distinct count
	AggSum
	AggAvg
	AggMin
	AggMax
	AggPercentiles // Params are the ranks (0–100)
	AggMakeList    // Params[0] is the size limit, 0 for none
	AggMakeSet
	AggMakeBag
	AggArgMax // Args[0] is maximised; Args[1:] are returned
	AggArgMin
	AggTakeAny
	AggStdev
	AggVariance
)

// Query is a checked query: the plan of its result and how to show it.
type CheckedQuery struct {
	Plan   Plan
	Render *Render
}

// Render is the visualization a query asked for with render: returned to
// clients as metadata, never executed.
type Render struct {
	Visualization string
	Props         map[string]any
}

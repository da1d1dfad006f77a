// Package schema is the single source of truth for the tables callscope
// stores: their names, the diagnostic-setting category that feeds each one,
// and every column with its Log Analytics name, export name and type.
//
// Everything else derives from here: the storage engines create their tables
// from it, the decoder maps incoming properties onto it, and query results are
// typed by it. No other package spells a column name of an ACS table.
package schema

import (
	"fmt"
	"sort"
	"strings"
)

// Type is a Log Analytics column type.
type Type uint8

// The Log Analytics types that the call-log tables use.
const (
	String Type = iota + 1
	DateTime
	Long // 64-bit integer
	Int  // 32-bit integer
	Real // 64-bit float
	Bool
	Dynamic // JSON value

	// Types that no stored column has but query results may.
	Timespan
	Decimal
	GUID
)

var typeNames = [...]string{
	String:   "string",
	DateTime: "datetime",
	Long:     "long",
	Int:      "int",
	Real:     "real",
	Bool:     "bool",
	Dynamic:  "dynamic",
	Timespan: "timespan",
	Decimal:  "decimal",
	GUID:     "guid",
}

// String returns the Log Analytics name of the type ("string", "long", …).
func (t Type) String() string {
	if int(t) < len(typeNames) && typeNames[t] != "" {
		return typeNames[t]
	}
	return fmt.Sprintf("Type(%d)", uint8(t))
}

// ParseType turns a Log Analytics type name into a Type.
func ParseType(name string) (Type, bool) {
	for t, n := range typeNames {
		if n != "" && strings.EqualFold(n, name) {
			return Type(t), true
		}
	}
	return 0, false
}

// Column is one column of a table.
type Column struct {
	Name    string   // Log Analytics column name, e.g. "CorrelationId"
	Type    Type     // Log Analytics type
	Export  string   // name in a diagnostic-setting export when it differs from Name, e.g. "correlationId"
	Aliases []string // other spellings seen in published records

	// Derived says how the column's value follows from the workspace, the
	// table or another column. Derived columns are never taken from
	// records; an engine computes them (DuckDB as virtual columns), so they
	// cost nothing to ingest or store.
	Derived Derivation
	Value   string // the value of a DerivedConstant column
}

// Derivation is how a derived column gets its value.
type Derivation uint8

// The derivations of the system columns.
const (
	Stored              Derivation = iota // an ordinary column, stored as ingested
	DerivedWorkspaceID                    // the workspace id (TenantId)
	DerivedTableName                      // the table's name (Type)
	DerivedCategory                       // the table's category (Category)
	DerivedConstant                       // Column.Value (SourceSystem, _IsBillable)
	DerivedSubscription                   // the id after "/subscriptions/" at the start of _ResourceId (_SubscriptionId)
)

// Names of the columns every ACS table has. Log Analytics adds the system
// columns itself; callscope does the same at ingestion.
const (
	TimeGenerated    = "TimeGenerated"
	TenantID         = "TenantId" // the workspace id, not the Entra tenant
	SourceSystem     = "SourceSystem"
	TypeColumn       = "Type" // the table name
	ResourceID       = "_ResourceId"
	SubscriptionID   = "_SubscriptionId"
	BilledSize       = "_BilledSize"
	IsBillable       = "_IsBillable"
	CategoryColumn   = "Category"
	AdditionalFields = "AdditionalFields"

	// CallUpdatesVersion orders the versions of one row in the updates tables.
	CallUpdatesVersion = "CallUpdatesVersion"
)

// Table is one table of a workspace.
type Table struct {
	Name     string   // Log Analytics table name, e.g. "ACSCallSummary"
	Category string   // diagnostic-setting category that feeds it; empty for callscope's own tables
	Columns  []Column // in result order

	// Updates names the table of versioned updates that this final table is
	// the snapshot of (ACSCallSummary ← ACSCallSummaryUpdates); empty otherwise.
	Updates string
	// FinalKey lists the columns that identify one final row: a participant
	// for ACSCallSummary, a stream for ACSCallDiagnostics. Missing values
	// count as equal (P2P rows have no ParticipantId, the server endpoint
	// no EndpointId).
	FinalKey []string

	index map[string]int // exact column name → position
	keys  map[string]int // lower-cased name, export name or alias → position
}

// IsCallLog reports whether the table receives records from ingestion (it has
// a diagnostic-setting category), as opposed to a table callscope writes itself.
func (t *Table) IsCallLog() bool { return t.Category != "" }

// ColumnIndex returns the position of the column with exactly this name, or -1.
func (t *Table) ColumnIndex(name string) int {
	if i, ok := t.index[name]; ok {
		return i
	}
	return -1
}

// Field finds the column that an incoming property name refers to. Names
// match without regard to letter case, by column name, export name or alias,
// because real exporters spell the same property several ways
// ("callupdatesversion", "CallUpdatesVersion", "callUpdatesVersion").
// It does not allocate for names up to 64 bytes.
func (t *Table) Field(name []byte) (int, bool) {
	var buf [64]byte
	var lower []byte
	if len(name) <= len(buf) {
		lower = buf[:len(name)]
	} else {
		lower = make([]byte, len(name))
	}
	for i, c := range name {
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		lower[i] = c
	}
	i, ok := t.keys[string(lower)]
	return i, ok
}

// StoredColumns lists the positions of the columns that are stored, that
// is, not derived.
func (t *Table) StoredColumns() []int {
	var out []int
	for i, c := range t.Columns {
		if c.Derived == Stored {
			out = append(out, i)
		}
	}
	return out
}

var (
	byName     = map[string]*Table{}
	byCategory = map[string]*Table{}
)

func init() {
	for _, t := range tables {
		for i := range t.Columns {
			c := &t.Columns[i]
			switch c.Name {
			case TimeGenerated:
				// Every export writes TimeGenerated as "time": the
				// resource-log envelope does, even for the tables whose
				// documentation only shows Log Analytics names, and so do
				// Application Insights exports, flat as they otherwise are.
				c.Export = "time"
			case CategoryColumn:
				c.Derived = DerivedCategory
			case SourceSystem:
				c.Derived, c.Value = DerivedConstant, "Azure"
			case IsBillable:
				c.Derived, c.Value = DerivedConstant, "True"
			case SubscriptionID:
				c.Derived = DerivedSubscription
			}
			deriveCommon(c)
		}
		// Unknown properties are kept, never dropped: every call-log table
		// carries them as a JSON bag in one extra column.
		t.Columns = append(t.Columns, Column{Name: AdditionalFields, Type: Dynamic})
	}
	for _, t := range ownTables {
		for i := range t.Columns {
			deriveCommon(&t.Columns[i])
		}
	}
	for _, t := range append(tables[:len(tables):len(tables)], ownTables...) {
		register(t)
	}
}

// deriveCommon marks the columns every table derives the same way.
func deriveCommon(c *Column) {
	switch c.Name {
	case TenantID:
		c.Derived = DerivedWorkspaceID
	case TypeColumn:
		c.Derived = DerivedTableName
	}
}

func register(t *Table) {
	t.index = make(map[string]int, len(t.Columns))
	t.keys = make(map[string]int, 2*len(t.Columns))
	for i, c := range t.Columns {
		if _, dup := t.index[c.Name]; dup {
			panic("schema: duplicate column " + t.Name + "." + c.Name)
		}
		t.index[c.Name] = i
		for _, k := range append([]string{c.Name, c.Export}, c.Aliases...) {
			if k != "" {
				t.keys[strings.ToLower(k)] = i
			}
		}
	}
	byName[t.Name] = t
	if t.Category != "" {
		byCategory[t.Category] = t
	}
}

// Tables returns every table a workspace holds: the call-log tables in a
// fixed order, then callscope's own tables.
func Tables() []*Table {
	return append(append([]*Table(nil), tables...), ownTables...)
}

// CallLogTables returns the tables that ingestion feeds.
func CallLogTables() []*Table {
	return append([]*Table(nil), tables...)
}

// ByName returns the table with exactly this name, or nil.
func ByName(name string) *Table { return byName[name] }

// ByNameFold returns the table whose name equals name without regard to
// letter case, or nil. Records name their table ("Type") in any case.
func ByNameFold(name string) *Table {
	if t := byName[name]; t != nil {
		return t
	}
	for _, t := range tables {
		if strings.EqualFold(t.Name, name) {
			return t
		}
	}
	return nil
}

// ByCategory returns the table fed by a diagnostic-setting category (compared
// without regard to letter case), or nil. It does not allocate: ingestion
// calls it for every record.
func ByCategory(category string) *Table {
	if t := byCategory[category]; t != nil {
		return t
	}
	for _, t := range tables {
		if strings.EqualFold(t.Category, category) {
			return t
		}
	}
	return nil
}

// Categories lists the diagnostic-setting categories callscope accepts, sorted.
func Categories() []string {
	var out []string
	for _, t := range tables {
		out = append(out, t.Category)
	}
	sort.Strings(out)
	return out
}

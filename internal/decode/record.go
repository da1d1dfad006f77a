package decode

import (
	"bytes"
	"fmt"
	"strings"
	"time"

	"github.com/valyala/fastjson"

	"github.com/callscope/callscope/internal/schema"
)

// RecordError says why one record cannot be stored. The record goes to the
// ingestion-errors table with this reason; the records around it are not
// affected.
type RecordError struct {
	Category string        // the category or table the record named, if any
	Table    *schema.Table // the table it was meant for, if known
	Column   string        // the column whose value could not be converted, if any
	Reason   string
}

func (e *RecordError) Error() string {
	var b strings.Builder
	if e.Table != nil {
		b.WriteString(e.Table.Name)
		if e.Column != "" {
			b.WriteString(".")
			b.WriteString(e.Column)
		}
		b.WriteString(": ")
	}
	b.WriteString(e.Reason)
	return b.String()
}

// Decoder maps raw records onto the rows of their tables. A Decoder reuses
// its buffers between records and is not safe for concurrent use: give each
// goroutine its own.
type Decoder struct {
	lim Limits

	parser    fastjson.Parser
	strings   interner
	resources map[string]any // resource id as sent → normalised, boxed
	infos     map[*schema.Table]*tableInfo

	cur                record
	fillTop, fillProps func(key []byte, val *fastjson.Value)
	slab               []any // rows are cut from here to save allocations
	extras             []extra
	buf                []byte
}

type extra struct {
	key []byte
	val *fastjson.Value
}

// NewDecoder returns a Decoder with the given limits.
func NewDecoder(lim Limits) *Decoder {
	d := &Decoder{
		lim:       lim.WithDefaults(),
		strings:   newInterner(),
		resources: map[string]any{},
		infos:     map[*schema.Table]*tableInfo{},
	}
	d.fillTop = func(key []byte, val *fastjson.Value) {
		if d.cur.bagAtTop || !isKey(key, "properties") {
			d.fill(1, key, val)
		}
	}
	d.fillProps = func(key []byte, val *fastjson.Value) { d.fill(2, key, val) }
	return d
}

// Values in a row have these Go types, by column type: string (String),
// time.Time in UTC (DateTime), int64 (Long and Int), float64 (Real), bool
// (Bool), and string holding JSON text (Dynamic). A missing value is nil.

// Decode maps one record onto a row of its table. received is the time the
// record arrived; it stands in for a record that carries no time of its own,
// as Log Analytics does. The row is valid until the Decoder is garbage:
// it is not overwritten by later calls.
func (d *Decoder) Decode(raw []byte, received time.Time) (*schema.Table, []any, error) {
	v, err := d.parser.ParseBytes(raw)
	if err != nil {
		return nil, nil, &RecordError{Reason: "malformed JSON: " + err.Error()}
	}
	top, err := v.Object()
	if err != nil {
		return nil, nil, &RecordError{Reason: fmt.Sprintf("record is a JSON %s, not an object", v.Type())}
	}
	if d.lim.MaxStringBytes > 0 && len(raw) > d.lim.MaxStringBytes {
		if n := longestString(v); n > d.lim.MaxStringBytes {
			return nil, nil, &RecordError{Reason: fmt.Sprintf("a string value is %d bytes long, more than the limit of %d", n, d.lim.MaxStringBytes)}
		}
	}

	env := readEnvelope(top)
	t, named, err := env.table()
	if err != nil {
		return nil, nil, err
	}
	info := d.info(t)

	d.cur = record{table: t, info: info, named: named, row: d.newRow(len(t.Columns))}
	if env.flat && info.bag >= 0 {
		// A flat row of a table with a Properties column (AppEvents): its
		// top-level Properties is that column, not an envelope.
		d.cur.bagAtTop = true
		env.props = nil
	}
	d.extras = d.extras[:0]
	top.Visit(d.fillTop)
	if env.props != nil {
		env.props.Visit(d.fillProps)
	}
	row, fillErr := d.cur.row, d.cur.err
	d.cur = record{}
	if fillErr != nil {
		return nil, nil, fillErr
	}
	d.stamp(info, row, raw, received)
	return t, row, nil
}

// Derived columns (TenantId, Type, Category, …) and the two columns the
// decoder fills itself (_BilledSize and AdditionalFields) are never taken
// from a record's properties. Values a record carries for them (Log
// Analytics exports include the TenantId and Type of the workspace they came
// from) describe another system and are not stored.
func notFromProperties(c schema.Column) bool {
	return c.Derived != schema.Stored || c.Name == schema.BilledSize || c.Name == schema.AdditionalFields
}

// record is the state of the record being decoded, kept on the Decoder so
// that the visit functions, bound once, need no closure per record.
type record struct {
	table *schema.Table
	info  *tableInfo
	named string
	row   []any
	nth   int // position of the next key, for the key cache
	err   error

	// bagAtTop says the top-level "properties" member is the table's
	// Properties column rather than the envelope's service fields.
	bagAtTop bool
}

// fill maps one property onto the row of the current record; depth is how
// deep the object holding it sits (1 for the top level).
func (d *Decoder) fill(depth int, key []byte, val *fastjson.Value) {
	r := &d.cur
	pos := r.nth
	r.nth++
	if r.err != nil || isRoutingKey(key) {
		return
	}
	t, info := r.table, r.info
	if k := val.Type(); k == fastjson.TypeObject || k == fastjson.TypeArray {
		if n := depth + depthOf(val); n > d.lim.MaxDepth {
			r.err = &RecordError{Category: r.named, Table: t, Reason: fmt.Sprintf("record nests %d levels deep, more than the limit of %d", n, d.lim.MaxDepth)}
			return
		}
	}
	i, ok := d.field(info, t, pos, key)
	if !ok {
		d.extras = append(d.extras, extra{key, val})
		return
	}
	if info.computed[i] {
		return
	}
	if r.row[i] != nil {
		// Sent twice (say as "time" and as properties.TimeGenerated): the
		// first wins, a differing second is kept among the extras.
		d.extras = append(d.extras, extra{key, val})
		return
	}
	x, err := d.convert(val, t.Columns[i].Type, &info.last[i])
	if err != nil {
		r.err = &RecordError{Category: r.named, Table: t, Column: t.Columns[i].Name, Reason: err.Error()}
		return
	}
	r.row[i] = x
}

// tableInfo caches what the decoder needs to know about a table's columns.
type tableInfo struct {
	computed []bool         // not taken from records (see notFromProperties)
	fields   map[string]int // property names seen, exactly as sent → column (-1: none)

	// Records of one table mostly carry the same keys in the same order,
	// and consecutive records mostly belong to the same call. seen holds
	// the keys of the last record by position, last the last string value
	// of each column: both are checked with a byte comparison before any
	// map lookup.
	seen []seenKey
	last []lastString

	// positions of the columns stamp fills (-1 where the table has none)
	timeGenerated, resourceID, billedSize, additional int

	// bag is the position of a column named Properties (AppEvents' custom
	// dimensions), -1 for the tables that have none.
	bag int
}

func (d *Decoder) info(t *schema.Table) *tableInfo {
	if ti, ok := d.infos[t]; ok {
		return ti
	}
	ti := &tableInfo{
		computed:      make([]bool, len(t.Columns)),
		last:          make([]lastString, len(t.Columns)),
		fields:        map[string]int{},
		timeGenerated: t.ColumnIndex(schema.TimeGenerated),
		resourceID:    t.ColumnIndex(schema.ResourceID),
		billedSize:    t.ColumnIndex(schema.BilledSize),
		additional:    t.ColumnIndex(schema.AdditionalFields),
		bag:           t.ColumnIndex(schema.PropertiesColumn),
	}
	for i, c := range t.Columns {
		ti.computed[i] = notFromProperties(c)
	}
	d.infos[t] = ti
	return ti
}

type seenKey struct {
	key string
	col int // -1: no column
}

// field finds the column of a property name, the pos-th key of its record.
// Exporters repeat the same spellings in the same order, so the key at the
// same position in the previous record is tried first, then a map of the
// spellings seen, and only then the schema's letter-case rules.
func (d *Decoder) field(info *tableInfo, t *schema.Table, pos int, key []byte) (int, bool) {
	if pos < len(info.seen) && info.seen[pos].key == string(key) {
		c := info.seen[pos].col
		return c, c >= 0
	}
	i, ok := info.fields[string(key)]
	if !ok {
		if i, ok = t.Field(key); !ok {
			i = -1
		}
		if len(info.fields) < 1024 {
			info.fields[string(key)] = i
		}
	}
	if pos < 256 {
		for len(info.seen) <= pos {
			info.seen = append(info.seen, seenKey{col: -1})
		}
		info.seen[pos] = seenKey{key: string(key), col: i}
	}
	return i, i >= 0
}

// stamp fills the stored columns that come from the record as a whole
// rather than from one of its properties. Derived columns stay nil: the
// store computes them.
func (d *Decoder) stamp(info *tableInfo, row []any, raw []byte, received time.Time) {
	if row[info.timeGenerated] == nil {
		row[info.timeGenerated] = received.UTC()
	}
	if i := info.resourceID; row[i] != nil {
		row[i] = d.resourceID(row[i].(string))
	}
	row[info.billedSize] = float64(len(raw))
	if len(d.extras) > 0 {
		row[info.additional] = d.extrasJSON()
	}
}

// extrasJSON renders the properties no column took as one JSON object, so
// nothing a record carried is lost.
func (d *Decoder) extrasJSON() string {
	b := append(d.buf[:0], '{')
	for i, e := range d.extras {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendJSONString(b, e.key)
		b = append(b, ':')
		b = e.val.MarshalTo(b)
	}
	b = append(b, '}')
	d.buf = b
	return string(b)
}

// newRow cuts a row out of a shared slab: one allocation serves many rows.
func (d *Decoder) newRow(n int) []any {
	if len(d.slab) < n {
		d.slab = make([]any, max(n*256, 4096))
	}
	row := d.slab[:n:n]
	d.slab = d.slab[n:]
	return row
}

// resourceID normalises a resource id the way Log Analytics shows
// _ResourceId: lower case with a leading slash. Exporters write it upper
// case and sometimes without the slash.
func (d *Decoder) resourceID(id string) any {
	if r, ok := d.resources[id]; ok {
		return r
	}
	var r any = schema.NormalizeResourceID(id)
	if len(d.resources) > 10_000 {
		clear(d.resources)
	}
	d.resources[id] = r
	return r
}

// envelope holds the members of a record that say where it goes.
type envelope struct {
	category, typ *fastjson.Value // "category" and "type", top level first
	props         *fastjson.Object
	versioned     bool // carries a CallUpdatesVersion

	// flat says the record named its table by a top-level Type and carries
	// no top-level category: a flat Log Analytics row, or an Application
	// Insights export, which is flat too ({"time", "resourceId", "Type":
	// "AppEvents", "Name", "Properties": {…}, …}). Every resource-log record
	// has a category. In a flat row of a table with a Properties column the
	// top-level properties member is that column.
	flat bool
}

// readEnvelope reads the routing members at the top level of a record and
// finds its properties object.
func readEnvelope(top *fastjson.Object) envelope {
	var e envelope
	var propsVal *fastjson.Value
	top.Visit(func(key []byte, v *fastjson.Value) {
		e.note(key, v)
		if isKey(key, "properties") {
			propsVal = v
		}
	})
	if propsVal != nil {
		switch propsVal.Type() {
		case fastjson.TypeObject:
			e.props, _ = propsVal.Object()
		case fastjson.TypeString:
			// Some exporters send properties as a string holding JSON. It is
			// parsed with a parser of its own: the record's parser still owns
			// the record's values.
			if inner, err := fastjson.ParseBytes(propsVal.GetStringBytes()); err == nil {
				e.props, _ = inner.Object()
			}
		}
	}
	return e
}

// note records a routing member; the first one seen of each kind wins.
func (e *envelope) note(key []byte, v *fastjson.Value) {
	switch {
	case e.category == nil && isKey(key, "category"):
		e.category = v
	case e.typ == nil && isKey(key, "type"):
		e.typ = v
	case isKey(key, schema.CallUpdatesVersion) && v.Type() != fastjson.TypeNull:
		e.versioned = true
	}
}

// table decides which table a record belongs to. The category names it in
// the resource-log shape; a flat Log Analytics row names its table in Type;
// some published samples carry either only inside properties, which are
// therefore looked into when the top level does not settle the question.
//
// One quirk is handled here: the published samples of the updates logs copy
// the category of the final log ("CallSummary" with a callUpdatesVersion).
// A versioned record is an update, so it goes to the updates table.
func (e *envelope) table() (*schema.Table, string, error) {
	t, named := e.lookup()
	// Only the top level has been read so far: a table found without a
	// category was found by the top-level type.
	e.flat = t != nil && e.category == nil
	if (t == nil || (t.Updates != "" && !e.versioned)) && e.props != nil {
		e.props.Visit(e.note)
		if t == nil {
			t, named = e.lookup()
		}
	}
	if t == nil {
		if named == "" {
			return nil, "", &RecordError{Reason: "record names no category or table (no category, Category or Type property)"}
		}
		return nil, named, &RecordError{Category: named, Reason: fmt.Sprintf("unsupported category %q", named)}
	}
	if t.Updates != "" && e.versioned {
		t = schema.ByName(t.Updates)
	}
	return t, named, nil
}

// lookup resolves the category or type found so far to a table. Without a
// table it returns the name the record gave, for the error message.
func (e *envelope) lookup() (*schema.Table, string) {
	var named string
	for _, v := range []*fastjson.Value{e.category, e.typ} {
		if v == nil || v.Type() != fastjson.TypeString {
			continue
		}
		s := unsafeString(v.GetStringBytes())
		if s == "" {
			continue
		}
		t := schema.ByCategory(s)
		if t == nil {
			t = schema.ByNameFold(s)
		}
		if t != nil {
			return t, t.Category
		}
		if named == "" {
			named = strings.Clone(s)
		}
	}
	return nil, named
}

// isKey compares a property name with a known name without regard to case.
func isKey(key []byte, name string) bool {
	return len(key) == len(name) && bytes.EqualFold(key, []byte(name))
}

// isRoutingKey reports the keys that name the record's category or table.
// They decide where the record goes; the stored Category and Type columns
// are then set from the table itself.
func isRoutingKey(key []byte) bool {
	return isKey(key, "category") || isKey(key, "type")
}

// depthOf measures how deeply objects and arrays nest in v (a scalar is 0).
func depthOf(v *fastjson.Value) int {
	switch v.Type() {
	case fastjson.TypeObject:
		o, _ := v.Object()
		deepest := 0
		o.Visit(func(_ []byte, c *fastjson.Value) { deepest = max(deepest, depthOf(c)) })
		return deepest + 1
	case fastjson.TypeArray:
		a, _ := v.Array()
		deepest := 0
		for _, c := range a {
			deepest = max(deepest, depthOf(c))
		}
		return deepest + 1
	}
	return 0
}

// longestString finds the longest string value in v, keys included.
func longestString(v *fastjson.Value) int {
	switch v.Type() {
	case fastjson.TypeString:
		return len(v.GetStringBytes())
	case fastjson.TypeObject:
		o, _ := v.Object()
		n := 0
		o.Visit(func(k []byte, c *fastjson.Value) { n = max(n, len(k), longestString(c)) })
		return n
	case fastjson.TypeArray:
		a, _ := v.Array()
		n := 0
		for _, c := range a {
			n = max(n, longestString(c))
		}
		return n
	}
	return 0
}

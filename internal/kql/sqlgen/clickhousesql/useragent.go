package clickhousesql

import (
	"regexp"
	"strconv"
	"strings"
	"sync"

	"github.com/callscope/callscope/internal/useragent"
)

// parse_user_agent in SQL. DuckDB's store answers it with ua-parser in Go
// (package useragent); ClickHouse has no function written in Go, so the
// dialect writes ua-parser's own rules as SQL: the same regular
// expressions, tried in the same order, with the same replacements, so
// that both engines answer alike. The first expression that matches (and
// gives a family) wins; each field is its replacement template with the
// expression's groups put in. That needs match and replaceRegexpOne with
// patterns that are not constants (22.6); the rules take about 30 KB of
// SQL per kind asked for. Earlier releases take only constant patterns,
// and get each rule written out on its own (constantSQL).

// uaKind is one kind of parse_user_agent (browser, os, device) as SQL.
type uaKind struct {
	property string   // the result's property: Browser
	fields   []string // its properties: Family, MajorVersion, …
	// patterns are the expressions, each wrapped to match the whole text
	// (so that replaceRegexpOne replaces it all by a group) and padded
	// with empty groups to groups of them, so that every replacement
	// names an existing group.
	patterns []string
	counts   []int // the groups of each expression, before padding
	// whole are the expressions wrapped to match the whole text, not
	// padded (constantSQL).
	whole  []string
	groups int // the most of any
	// templates are, per field, each expression's replacement, its
	// groups written as \x01 and the group's digit.
	templates [][]string
	// plain is, per expression, 1 where its family template has no text
	// of its own, so that an empty group leaves the family empty: ua-parser
	// then goes on to the next expression.
	plain []string
	trim  bool // device fields are trimmed
}

// groupMark introduces a group in a template.
const groupMark = "\x01"

var uaKinds = sync.OnceValue(func() map[string]*uaKind {
	p := useragent.Parser()
	kinds := map[string]*uaKind{}
	browser := &uaKind{property: "Browser", fields: []string{"Family", "MajorVersion", "MinorVersion", "Patch"}}
	for _, r := range p.UA {
		browser.add(r.Flags, r.Expr, r.FamilyReplacement, r.V1Replacement, r.V2Replacement, r.V3Replacement)
	}
	kinds["browser"] = browser
	os := &uaKind{property: "OperatingSystem", fields: []string{"Family", "MajorVersion", "MinorVersion", "Patch", "PatchMinorVersion"}}
	for _, r := range p.OS {
		os.add(r.Flags, r.Expr, r.OSReplacement, r.V1Replacement, r.V2Replacement, r.V3Replacement, r.V4Replacement)
	}
	kinds["os"] = os
	device := &uaKind{property: "Device", fields: []string{"Family", "Brand", "Model"}, trim: true}
	for _, r := range p.Device {
		device.add(r.Flags, r.Expr, r.DeviceReplacement, r.BrandReplacement, r.ModelReplacement)
	}
	kinds["device"] = device
	for _, k := range kinds {
		k.pad()
	}
	return kinds
})

// add appends one of ua-parser's rules: its flags, expression and the
// replacement of each field.
func (k *uaKind) add(flags, expr string, replacements ...string) {
	if flags != "" {
		expr = "(?" + flags + ")" + expr
	}
	n := regexp.MustCompile(expr).NumSubexp()
	k.groups = max(k.groups, n)
	k.patterns = append(k.patterns, "(?s)^.*?(?:"+expr+")")
	k.whole = append(k.whole, "(?s)^.*?(?:"+expr+").*$")
	k.counts = append(k.counts, n)
	if k.templates == nil {
		k.templates = make([][]string, len(k.fields))
	}
	for i, r := range replacements {
		k.templates[i] = append(k.templates[i], template(r, n))
	}
	plain := "0"
	if strings.Trim(k.templates[0][len(k.templates[0])-1], "\x010123456789") == "" {
		plain = "1"
	}
	k.plain = append(k.plain, plain)
}

// pad gives every pattern as many groups as the one with the most.
func (k *uaKind) pad() {
	for i := range k.patterns {
		k.patterns[i] += strings.Repeat("()", k.groups-k.counts[i]) + ".*$"
	}
}

// template rewrites a replacement as regexp.Expand reads it ($1, ${1},
// $$ for a dollar) with groups marked by groupMark. A group the
// expression does not have, or a name, is empty, as in Expand.
func template(r string, groups int) string {
	var b strings.Builder
	for i := 0; i < len(r); i++ {
		if r[i] != '$' || i+1 == len(r) {
			b.WriteByte(r[i])
			continue
		}
		if r[i+1] == '$' {
			b.WriteByte('$')
			i++
			continue
		}
		name, end := "", i+1
		if r[i+1] == '{' {
			close := strings.IndexByte(r[i+2:], '}')
			if close < 0 {
				b.WriteByte('$')
				continue
			}
			name, end = r[i+2:i+2+close], i+3+close
		} else {
			for end < len(r) && (r[end] == '_' || 'a' <= r[end]|0x20 && r[end]|0x20 <= 'z' || '0' <= r[end] && r[end] <= '9') {
				end++
			}
			name = r[i+1 : end]
		}
		if name == "" {
			b.WriteByte('$') // not a reference: Expand copies the dollar
			continue
		}
		if n, err := strconv.Atoi(name); err == nil && n >= 1 && n <= groups && n <= 9 {
			b.WriteString(groupMark + name)
		}
		i = end - 1
	}
	return b.String()
}

// parseUserAgent writes parse_user_agent(ua, kinds) for a constant list
// of kinds.
func (d *Dialect) parseUserAgent(ua, kinds string) string {
	var props []string
	for _, name := range strings.Split(kinds, ",") {
		k, ok := uaKinds()[strings.TrimSpace(name)]
		if !ok {
			continue
		}
		obj := k.constantSQL(d.json)
		if d.has(nonConstantPatternsFrom) {
			obj = k.sql()
		}
		props = append(props, sqlString(`"`+k.property+`":`)+", "+obj)
	}
	return let("__ua", "materialize(ifNull("+ua+", ''))", "concat('{', "+strings.Join(props, ", ',', ")+", '}')")
}

// sql writes the object of one kind for the text in __ua.
func (k *uaKind) sql() string {
	list := func(xs []string) string {
		q := make([]string, len(xs))
		for i, x := range xs {
			q[i] = sqlString(x)
		}
		return "[" + strings.Join(q, ", ") + "]"
	}
	// expand puts the groups of pattern into a template.
	expand := func(tmpl, pattern string) string {
		for g := 1; g <= min(k.groups, 9); g++ {
			tmpl = "replaceAll(" + tmpl + ", '\\x01" + strconv.Itoa(g) + "', replaceRegexpOne(__ua, " + pattern + ", '\\\\" + strconv.Itoa(g) + "'))"
		}
		if k.trim {
			tmpl = "trimBoth(" + tmpl + ")"
		}
		return tmpl
	}
	// The first rule that matches and gives a family; 0 for none.
	first := "arrayFirstIndex((__p, __c, __f) -> match(__ua, __p) AND (__c = 0 OR " + expand("__f", "__p") + " != ''), " +
		"__uap, [" + strings.Join(k.plain, ", ") + "], __uf)"
	// With no rule, the family is Other and the pattern one of empty
	// groups, which every replacement can read.
	pattern := "if(__ui = 0, " + sqlString(strings.Repeat("()", k.groups)) + ", __uap[__ui])"
	parts := []string{"'{'"}
	for i, f := range k.fields {
		if i > 0 {
			parts = append(parts, "','")
		}
		templates := "__uf"
		if i > 0 {
			templates = list(k.templates[i])
		}
		v := expand(templates+"[__ui]", "__up")
		if i == 0 {
			v = "if(__ui = 0, 'Other', " + v + ")"
		}
		parts = append(parts, sqlString(`"`+f+`":`), "toJSONString("+v+")")
	}
	parts = append(parts, "'}'")
	return let("__uap", list(k.patterns), let("__uf", list(k.templates[0]),
		let("__ui", first, let("__up", pattern, "concat("+strings.Join(parts, ", ")+")"))))
}

// constantSQL writes the object of one kind for the text in __ua with
// constant patterns only, for releases before 22.6. Each rule's pattern
// is run once, by replaceRegexpOne, whose replacement is the whole match
// (the whole text, which the pattern spans), a mark and the groups apart:
// a rule matches where the answer is longer than the text, and the groups
// are what follows. The first rule that matches and gives a family is
// found by position in the list of the rules' tests, and each field is
// its template for that rule, picked by position from the distinct
// templates, with the rule's groups put in (replaceAll takes only a
// constant replacement before 22.6). A group is cut at a NUL character,
// which separates them; user agents hold none.
func (k *uaKind) constantSQL(json jsonRep) string {
	// groups is the list of the groups of a rule's answer.
	groups := func(answer string) string {
		return "splitByChar(" + sqlString("\x00") + ", substring(" + answer + ", toUInt64(length(__ua) + 2)))"
	}
	answers := make([]string, len(k.whole))
	// refs are, per rule, the groups its family is made of, one of which
	// must not be empty; [0] for a family that is never empty.
	refs := make([]string, len(k.whole))
	for i, p := range k.whole {
		repl := `\0` + "\x02"
		for g := 1; g <= min(k.counts[i], 9); g++ {
			if g > 1 {
				repl += "\x00"
			}
			repl += `\` + strconv.Itoa(g)
		}
		answers[i] = "replaceRegexpOne(__ua, " + sqlString(p) + ", " + sqlString(repl) + ")"
		refs[i] = "[" + strings.Join(madeOf(k.templates[0][i], k.plain[i] == "1"), ", ") + "]"
	}
	first := "toUInt64(indexOf(arrayMap((__x, __r) -> length(__x) > length(__ua) AND (has(__r, 0) OR arrayExists(__k -> " +
		groups("__x") + "[__k] != '', __r)), __ug, [" + strings.Join(refs, ", ") + "]), 1))"
	parts := []string{"'{'"}
	for f, field := range k.fields {
		if f > 0 {
			parts = append(parts, "','")
		}
		// The field's distinct templates filled in, and each rule's
		// position among them.
		var fills []string
		index := map[string]int{}
		picks := make([]string, len(k.templates[f]))
		for i, t := range k.templates[f] {
			if _, ok := index[t]; !ok {
				fills = append(fills, fill(t, "__uq"))
				index[t] = len(fills)
			}
			picks[i] = strconv.Itoa(index[t])
		}
		v := "arrayElement([" + strings.Join(fills, ", ") + "], arrayElement([" + strings.Join(picks, ", ") + "], __ui))"
		if k.trim {
			v = trimSpace(v)
		}
		if f == 0 {
			v = "if(__ui = 0, 'Other', " + v + ")"
		}
		parts = append(parts, sqlString(`"`+field+`":`), json.quote(v))
	}
	parts = append(parts, "'}'")
	return let("__ug", "["+strings.Join(answers, ", ")+"]",
		let("__ui", first,
			let("__uq", groups("arrayElement(__ug, __ui)"), "concat("+strings.Join(parts, ", ")+")")))
}

// madeOf lists the groups a family template is made of, where it is made
// of groups only (plain) and gives an empty family when they are all
// empty; otherwise 0, for a family that is never empty.
func madeOf(tmpl string, plain bool) []string {
	if !plain {
		return []string{"0"}
	}
	var groups []string
	for i := 0; i < len(tmpl); i += 2 {
		if tmpl[i] != groupMark[0] || i+1 == len(tmpl) {
			return []string{"0"} // a digit of its own: never empty
		}
		groups = append(groups, tmpl[i+1:i+2])
	}
	return groups
}

// fill writes a template with its groups (groupMark and a digit) read from
// the list of groups.
func fill(tmpl, groups string) string {
	var items []string
	var lit strings.Builder
	for i := 0; i < len(tmpl); i++ {
		if tmpl[i] == groupMark[0] && i+1 < len(tmpl) {
			if lit.Len() > 0 {
				items = append(items, sqlString(lit.String()))
				lit.Reset()
			}
			items = append(items, groups+"["+tmpl[i+1:i+2]+"]")
			i++
			continue
		}
		lit.WriteByte(tmpl[i])
	}
	if lit.Len() > 0 {
		items = append(items, sqlString(lit.String()))
	}
	switch len(items) {
	case 0:
		return "''"
	case 1:
		return items[0]
	}
	return "concat(" + strings.Join(items, ", ") + ")"
}

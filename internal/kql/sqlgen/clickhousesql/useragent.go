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
// SQL per kind asked for.

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
	groups   int   // the most of any
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
	d.needs(nonConstantPatternsFrom, "parse_user_agent, which picks its regular expressions from a list,")
	var props []string
	for _, name := range strings.Split(kinds, ",") {
		k, ok := uaKinds()[strings.TrimSpace(name)]
		if !ok {
			continue
		}
		props = append(props, sqlString(`"`+k.property+`":`)+", "+k.sql())
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

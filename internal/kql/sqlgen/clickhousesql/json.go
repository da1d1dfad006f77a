package clickhousesql

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
)

// Dynamic values are JSON text in String. As in DuckDB's dialect, JSON's
// null is a value (the text null), and SQL's NULL is no value: a missing
// property, a null from an outer join. A
// jsonRep reads and writes that text; its functions take a String that is
// not Nullable (the empty string for nothing, which is not JSON) and
// return the empty string or an empty array for nothing, since arrays
// cannot be Nullable.
type jsonRep interface {
	// member is the JSON text at path below x, empty where there is none.
	member(x string, path []jsonStep) string
	// elements is the array of an array's elements' JSON texts; empty for
	// anything else.
	elements(x string) string
	// entries is the array of (key, value JSON) of an object's
	// properties, in order; empty for anything else.
	entries(x string) string
	// unquote is the text of x, a JSON string.
	unquote(x string) string
	// valid is 1 where x is JSON.
	valid(x string) string
	// quote writes text as a JSON string.
	quote(s string) string
}

// jsonStep is one step of a path: a key or a position (from 0; negative
// counts from the end), each as SQL.
type jsonStep struct {
	key   string // SQL of the key's text, or ""
	index string // SQL of the position (Int64), or ""
	// quoted is the key as a JSON string, written in Go when the key is a
	// constant.
	quoted string
}

// ---- releases from 21.11: the JSON functions ----

type jsonFunctions struct{}

// member reads the path with JSONExtractRaw, whose positions count from
// 1, and from -1 at the end.
func (jsonFunctions) member(x string, path []jsonStep) string {
	args := []string{x}
	for _, s := range path {
		if s.key != "" {
			args = append(args, s.key)
		} else {
			args = append(args, let("__n", "toInt64("+s.index+")", "if(__n >= 0, __n + 1, __n)"))
		}
	}
	return "JSONExtractRaw(" + strings.Join(args, ", ") + ")"
}

func (jsonFunctions) elements(x string) string { return "JSONExtractArrayRaw(" + x + ")" }
func (jsonFunctions) entries(x string) string  { return "JSONExtractKeysAndValuesRaw(" + x + ")" }
func (jsonFunctions) unquote(x string) string  { return "JSONExtractString(" + x + ")" }
func (jsonFunctions) valid(x string) string    { return "isValidJSON(" + x + ")" }
func (jsonFunctions) quote(s string) string {
	return "toJSONString(" + s + ")"
}

// ---- releases before 21.11: JSON split into tokens ----

// jsonTokens reads JSON without JSON functions. Releases before 19 have
// only visitParam*, which find a key at any depth; so the text is split
// into its tokens (strings, numbers, literals, punctuation) by a regular
// expression, and a running count of brackets gives each token's depth:
// the properties of the outer object, or the elements of the outer array,
// are the runs of tokens at depth 1 between its commas. Values are
// written back by joining their tokens, so they come out without white
// space. The text is taken to be JSON: a key must be written as a JSON
// encoder writes it (no needless \u escapes) to be found.
type jsonTokens struct{}

// tokenPattern matches one JSON token.
const tokenPattern = `"(?:[^"\\]|\\.)*"|-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?|true|false|null|[\[\]{}:,]`

// withTokens binds, for body, __jt to the tokens of x and __jd to the
// depth after each (1 inside the outer brackets).
func withTokens(x, body string) string {
	return let("__jt", "extractAll("+x+", "+sqlString(tokenPattern)+")",
		let("__jd", "arrayCumSum(arrayMap(__t -> toInt64(__t = '{' OR __t = '[') - toInt64(__t = '}' OR __t = ']'), __jt))", body))
}

// separators binds __js, for body, to the positions of the outer
// brackets and of the commas between them: element k runs from after
// __js[k] to before __js[k + 1].
func separators(body string) string {
	return let("__js", "arrayConcat([toUInt32(1)], arrayFilter(__i -> __jd[__i] = 1 AND __jt[__i] = ',', arrayEnumerate(__jt)), [toUInt32(length(__jt))])", body)
}

// slice joins the tokens from position from, n of them.
func slice(from, n string) string {
	return "arrayStringConcat(arraySlice(__jt, " + from + ", " + n + "))"
}

func (jsonTokens) member(x string, path []jsonStep) string {
	for _, s := range path {
		if s.key != "" {
			key := s.quoted
			if key == "" {
				key = jsonTokens{}.quote(s.key)
			}
			// The key is a string token at depth 1 followed by a colon;
			// its value runs to the next comma at depth 1 or the end.
			x = withTokens(x, let("__p", "if(__jt[1] = '{', arrayFirstIndex(__i -> __jd[__i] = 1 AND __jt[__i] = "+key+" AND __jt[__i + 1] = ':', arrayEnumerate(__jt)), 0)",
				"if(__p = 0, '', "+let("__e", "arrayFirstIndex(__i -> __i > __p + 1 AND (__jd[__i] = 0 OR (__jd[__i] = 1 AND __jt[__i] = ',')), arrayEnumerate(__jt))",
					slice("__p + 2", "__e - __p - 2"))+")"))
			continue
		}
		x = withTokens(x, "if(__jt[1] = '[' AND length(__jt) > 2, "+separators(
			let("__k", "if(toInt64("+s.index+") >= 0, toInt64("+s.index+") + 1, toInt64(length(__js)) + toInt64("+s.index+"))",
				"if(__k >= 1 AND __k < length(__js), "+slice("__js[__k] + 1", "__js[__k + 1] - __js[__k] - 1")+", '')"))+", '')")
	}
	return x
}

func (jsonTokens) elements(x string) string {
	return withTokens(x, "if(__jt[1] = '[' AND length(__jt) > 2, "+separators(
		"arrayMap(__k -> "+slice("__js[__k] + 1", "__js[__k + 1] - __js[__k] - 1")+", arrayEnumerate(arrayPopBack(__js)))")+", emptyArrayString())")
}

func (t jsonTokens) entries(x string) string {
	none := "arrayFilter(__e -> 0, [tuple('', '')])" // an empty array of pairs
	return withTokens(x, "if(__jt[1] = '{' AND length(__jt) > 2, "+separators(
		"arrayMap(__k -> tuple("+t.unquote("__jt[__js[__k] + 1]")+", "+slice("__js[__k] + 3", "__js[__k + 1] - __js[__k] - 3")+"), arrayEnumerate(arrayPopBack(__js)))")+", "+none+")")
}

// unquote reads the string with visitParamExtractString, which undoes
// JSON's escapes.
func (jsonTokens) unquote(x string) string {
	return "visitParamExtractString(concat('{\"v\":', " + x + ", '}'), 'v')"
}

// valid checks that the text is tokens and white space only, with
// brackets that close in order of depth; it does not check the grammar
// between them ([1 2] passes).
func (jsonTokens) valid(x string) string {
	rest := "replaceRegexpAll(" + x + ", " + sqlString(tokenPattern) + ", '')"
	return "(match(" + rest + ", '^\\\\s*$') AND " + withTokens(x,
		"length(__jt) > 0 AND arrayAll(__v -> __v >= 0, __jd) AND __jd[length(__jd)] = 0 AND (length(__jt) = 1 OR __jt[1] IN ('{', '['))") + ")"
}

// quote escapes backslash, quote and the common control characters.
func (jsonTokens) quote(s string) string {
	for _, r := range []struct{ from, to string }{{`\`, `\\`}, {`"`, `\"`}, {"\n", `\n`}, {"\r", `\r`}, {"\t", `\t`}, {"\b", `\b`}, {"\f", `\f`}} {
		s = "replaceAll(" + s + ", " + sqlString(r.from) + ", " + sqlString(r.to) + ")"
	}
	return "concat('\"', " + s + ", '\"')"
}

// quotedKey writes a constant key as a JSON string, as encoders write it.
func quotedKey(key string) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.Encode(key)
	return sqlString(strings.TrimSpace(b.String()))
}

// ---- reading values, for both ----

// nonNull is the text of a dynamic value for a jsonRep: empty for null.
func nonNull(x string) string { return "ifNull(" + x + ", '')" }

// dynamicOf turns what a jsonRep returns into a dynamic value: null for
// nothing.
func dynamicOf(raw string) string { return "nullIf(" + raw + ", '')" }

// jsonKind is the kind of a JSON text from its first character: object,
// array, string, bool, null, number, or empty for nothing.
func jsonKind(x string) string {
	return let("__c", "substring(replaceRegexpOne("+x+", '^\\\\s+', ''), 1, 1)",
		"multiIf(__c = '{', 'object', __c = '[', 'array', __c = '\"', 'string', __c IN ('t', 'f'), 'bool', __c = 'n', 'null', __c = '', '', 'number')")
}

// text is the text of a dynamic value x: a string's own text, null for
// null, the JSON text of anything else.
func (d *Dialect) text(x string) string {
	return let("__jx", nonNull(x), let("__jk", jsonKind("__jx"),
		"multiIf(__jk = 'string', "+d.json.unquote("__jx")+", __jk IN ('null', ''), NULL, __jx)"))
}

// path turns the Path of OpMember into steps.
func (d *Dialect) path(p []any) []jsonStep {
	steps := make([]jsonStep, len(p))
	for i, s := range p {
		switch v := s.(type) {
		case string:
			steps[i] = jsonStep{key: d.String(v), quoted: quotedKey(v)}
		case int64:
			steps[i] = jsonStep{index: "toInt64(" + strconv.FormatInt(v, 10) + ")"}
		}
	}
	return steps
}

// elementsOf is the elements of a dynamic value that is an array (an
// empty array for anything else).
func (d *Dialect) elementsOf(x string) string { return d.json.elements(nonNull(x)) }

// isKind is 1 where a dynamic value is of a kind (see jsonKind).
func isKind(x, kind string) string { return "(" + jsonKind(nonNull(x)) + " = '" + kind + "')" }

// arrayText writes a JSON array of element texts.
func arrayText(elems string) string {
	return "concat('[', arrayStringConcat(" + elems + ", ','), ']')"
}

// objectText writes a JSON object of (key, value JSON) pairs.
func (d *Dialect) objectText(entries string) string {
	return "concat('{', arrayStringConcat(arrayMap(__p -> concat(" + d.json.quote("tupleElement(__p, 1)") + ", ':', tupleElement(__p, 2)), " + entries + "), ','), '}')"
}

// firstPerKey keeps, of (key, value) pairs, the first of each key. It
// goes by positions: a lambda over two arrays inside another lambda fails
// on 18.16.
func firstPerKey(entries string) string {
	return let("__es", entries, let("__ks", "arrayMap(__q -> tupleElement(__q, 1), __es)",
		"arrayMap(__i -> __es[__i], arrayFilter(__i -> indexOf(__ks, __ks[__i]) = __i, arrayEnumerate(__es)))"))
}

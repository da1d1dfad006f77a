// Package useragent reads user-agent strings with ua-parser, the library
// Kusto's parse_user_agent is built on, and writes what it finds in the
// shape parse_user_agent returns.
package useragent

import (
	"encoding/json"
	"strings"
	"sync"

	"github.com/ua-parser/uap-go/uaparser"
)

// Parser is built once per process from ua-parser's embedded regexes:
// compiling them takes tens of milliseconds, and a Parser is safe for
// concurrent use. (New fails only if the embedded definitions are broken,
// which is a build problem, hence the panic, as NewFromSaved does too.)
var Parser = sync.OnceValue(func() *uaparser.Parser {
	p, err := uaparser.New()
	if err != nil {
		panic("useragent: ua-parser: " + err.Error())
	}
	return p
})

// Matching a user agent against ua-parser's few hundred regexes takes a
// millisecond or two; a query over many rows sees few distinct agents, so
// answers are cached, up to maxCached entries (then the cache starts over).
const maxCached = 10_000

var cache struct {
	sync.Mutex
	m map[[2]string]string
}

// Describe returns, as JSON text, what parse_user_agent(ua, kinds) returns:
// an object with a Browser, OperatingSystem and/or Device property for the
// comma-separated kinds "browser", "os" and "device".
func Describe(ua, kinds string) string {
	key := [2]string{ua, kinds}
	cache.Lock()
	if s, ok := cache.m[key]; ok {
		cache.Unlock()
		return s
	}
	cache.Unlock()

	p := Parser()
	out := map[string]any{}
	for _, k := range strings.Split(kinds, ",") {
		switch strings.TrimSpace(k) {
		case "browser":
			b := p.ParseUserAgent(ua)
			out["Browser"] = map[string]string{"Family": b.Family, "MajorVersion": b.Major, "MinorVersion": b.Minor, "Patch": b.Patch}
		case "os":
			o := p.ParseOs(ua)
			out["OperatingSystem"] = map[string]string{"Family": o.Family, "MajorVersion": o.Major, "MinorVersion": o.Minor,
				"Patch": o.Patch, "PatchMinorVersion": o.PatchMinor}
		case "device":
			d := p.ParseDevice(ua)
			out["Device"] = map[string]string{"Family": d.Family, "Brand": d.Brand, "Model": d.Model}
		}
	}
	b, _ := json.Marshal(out)
	s := string(b)

	cache.Lock()
	if cache.m == nil || len(cache.m) >= maxCached {
		cache.m = map[[2]string]string{}
	}
	cache.m[key] = s
	cache.Unlock()
	return s
}

// Browser names the browser of a user agent with its major version
// ("Chrome 120"), or "" when ua-parser does not know it.
func Browser(ua string) string {
	b := Parser().ParseUserAgent(ua)
	if b.Family == "" || b.Family == "Other" {
		return ""
	}
	if b.Major == "" {
		return b.Family
	}
	return b.Family + " " + b.Major
}

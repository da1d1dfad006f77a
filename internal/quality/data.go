package quality

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"strings"
)

// The tables the package judges by are JSON files compiled into the binary.
// They are decoded once, when the package is initialised; a file that does
// not decode or fails its checks panics there, so a broken edit to the data
// cannot ship unnoticed (every test in the package would fail first).
//
//go:embed rules.json codecs.json endreasons.json reliability.json ufds.json
var dataFiles embed.FS

// mustDecode decodes one embedded file into v, refusing fields that the Go
// type does not know: a misspelt key in hand-edited data is an error, not a
// silently ignored setting.
func mustDecode(name string, v any) {
	raw, err := dataFiles.ReadFile(name)
	if err != nil {
		panic(fmt.Sprintf("quality: reading embedded %s: %v", name, err))
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		panic(fmt.Sprintf("quality: decoding embedded %s: %v", name, err))
	}
}

// mustHold panics with a message naming the data file when a check on its
// content fails.
func mustHold(ok bool, file, format string, args ...any) {
	if !ok {
		panic(fmt.Sprintf("quality: %s: %s", file, fmt.Sprintf(format, args...)))
	}
}

// foldKey is the form names are compared in: trimmed and lower-cased.
func foldKey(s string) string {
	return strings.ToLower(strings.TrimSpace(s))
}

// containsFold reports whether substr occurs in s, ignoring case.
func containsFold(s, substr string) bool {
	return strings.Contains(strings.ToLower(s), strings.ToLower(substr))
}

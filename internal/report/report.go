// Package report formats output for people: aligned tables, counts with
// thousands separators, sizes and rates with units, and progress lines for
// long work. Output for programs (JSON, CSV) is written where it is needed.
package report

import (
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

// Table prints rows as aligned columns for people to read. Cells that look
// like numbers are aligned right.
type Table struct {
	Header []string
	rows   [][]string
}

func (t *Table) Add(cells ...any) {
	row := make([]string, len(cells))
	for i, c := range cells {
		switch v := c.(type) {
		case int:
			row[i] = Thousands(int64(v))
		case int64:
			row[i] = Thousands(v)
		case string:
			row[i] = v
		default:
			row[i] = fmt.Sprint(v)
		}
	}
	t.rows = append(t.rows, row)
}

func (t *Table) Write(w io.Writer) {
	widths := make([]int, len(t.Header))
	numeric := make([]bool, len(t.Header))
	for i, h := range t.Header {
		widths[i] = utf8.RuneCountInString(h)
		numeric[i] = true
	}
	for _, r := range t.rows {
		for i, c := range r {
			if i >= len(widths) {
				continue
			}
			widths[i] = max(widths[i], utf8.RuneCountInString(c))
			if c != "" && !looksNumeric(c) {
				numeric[i] = false
			}
		}
	}
	line := func(cells []string) {
		var b strings.Builder
		for i, c := range cells {
			if i >= len(widths) {
				break
			}
			pad := strings.Repeat(" ", widths[i]-utf8.RuneCountInString(c))
			if i > 0 {
				b.WriteString("  ")
			}
			if numeric[i] {
				b.WriteString(pad + c)
			} else if i < len(cells)-1 {
				b.WriteString(c + pad)
			} else {
				b.WriteString(c)
			}
		}
		fmt.Fprintln(w, strings.TrimRight(b.String(), " "))
	}
	line(t.Header)
	rule := make([]string, len(widths))
	for i, n := range widths {
		rule[i] = strings.Repeat("─", n)
	}
	line(rule)
	for _, r := range t.rows {
		line(r)
	}
}

// looksNumeric reports cells that hold a figure ("1,234", "12.3 MB",
// "-4%", "0.62×"), which tables align right.
func looksNumeric(s string) bool {
	s = strings.TrimPrefix(strings.TrimSpace(s), "-")
	return s != "" && (s[0] >= '0' && s[0] <= '9' || s == "–")
}

// Thousands formats an integer with thousands separators: 1,234,567.
func Thousands(n int64) string {
	s := fmt.Sprint(n)
	neg := strings.HasPrefix(s, "-")
	if neg {
		s = s[1:]
	}
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// Bytes formats a byte count with a binary unit: 12.3 MB.
func Bytes(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %cB", float64(n)/float64(div), "KMGTPE"[exp])
}

// Rate formats a count per second: 245,310/s.
func Rate(n int64, d time.Duration) string {
	if d <= 0 {
		return "–"
	}
	return Thousands(int64(float64(n)/d.Seconds())) + "/s"
}

// Progress shows the advance of long work on stderr: a line rewritten in
// place on a terminal, a line every few seconds otherwise (logs, CI).
type Progress struct {
	w       io.Writer
	label   string
	total   int64 // bytes expected, 0 if unknown
	start   time.Time
	tty     bool
	every   time.Duration
	mu      sync.Mutex
	last    time.Time
	printed bool
}

func NewProgress(w io.Writer, label string, total int64) *Progress {
	p := &Progress{w: w, label: label, total: total, start: time.Now(), every: 5 * time.Second}
	if f, ok := w.(*os.File); ok {
		if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
			p.tty, p.every = true, 200*time.Millisecond
		}
	}
	return p
}

// Update reports bytes (-1: not counted) and records done so far; it
// prints at most every p.every.
func (p *Progress) Update(done int64, records int64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if time.Since(p.last) < p.every {
		return
	}
	p.last = time.Now()
	p.print(done, records)
}

func (p *Progress) print(done int64, records int64) {
	el := time.Since(p.start)
	var b strings.Builder
	b.WriteString(p.label)
	if done >= 0 { // a negative count means the work is not measured in bytes
		fmt.Fprintf(&b, " %s", Bytes(done))
		if p.total > 0 {
			frac := min(float64(done)/float64(p.total), 1)
			fmt.Fprintf(&b, " / %s %5.1f%%", Bytes(p.total), 100*frac)
		}
	}
	fmt.Fprintf(&b, "  %s records  %s", Thousands(records), Rate(records, el))
	if done >= 0 {
		fmt.Fprintf(&b, "  %s/s", Bytes(int64(float64(done)/max(el.Seconds(), 0.001))))
	}
	if p.total > 0 && done > 0 && done < p.total {
		eta := time.Duration(float64(el) * float64(p.total-done) / float64(done))
		fmt.Fprintf(&b, "  ETA %s", eta.Round(time.Second))
	}
	if p.tty {
		fmt.Fprintf(p.w, "\r\033[K%s", b.String())
	} else {
		fmt.Fprintln(p.w, b.String())
	}
	p.printed = true
}

// Done prints the final state and ends the line.
func (p *Progress) Done(doneBytes int64, records int64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.print(doneBytes, records)
	if p.tty {
		fmt.Fprintln(p.w)
	}
}

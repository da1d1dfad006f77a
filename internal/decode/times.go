package decode

import (
	"fmt"
	"time"
)

// ParseTime reads the ISO-8601 timestamps exporters write:
//
//	2021-07-19T18:46:50.188Z        (resource logs)
//	2023-04-12T14:21:35.0700920Z    (Log Analytics exports, 7 fractional digits)
//	2022-08-09T16:00:32             (no zone: taken as UTC)
//	2024-01-10 07:36:51.771+02:00   (space separator, numeric offset)
//	2025-02-02                      (a date alone: midnight UTC)
//
// Fractional seconds may have up to nine digits. The result is in UTC.
// It is written out by hand because time.Parse needs one layout per variant
// and is several times slower on the hot path.
func ParseTime(s []byte) (time.Time, error) {
	p := timeParser{s: s, ok: true}
	year := p.digits(4)
	p.expect('-')
	month := p.digits(2)
	p.expect('-')
	day := p.digits(2)
	var hour, minute, sec, nsec int
	if p.ok && p.i < len(s) && (s[p.i] == 'T' || s[p.i] == 't' || s[p.i] == ' ') {
		p.i++
		hour = p.digits(2)
		p.expect(':')
		minute = p.digits(2)
		if p.ok && p.i < len(s) && s[p.i] == ':' {
			p.i++
			sec = p.digits(2)
			if p.ok && p.i < len(s) && (s[p.i] == '.' || s[p.i] == ',') {
				p.i++
				nsec = p.fraction()
			}
		}
	}
	offset := p.zone()
	if !p.ok || p.i != len(s) {
		return time.Time{}, fmt.Errorf("%q is not an ISO-8601 time", s)
	}
	if month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || sec > 59 {
		return time.Time{}, fmt.Errorf("%q is not a valid time", s)
	}
	t := time.Date(year, time.Month(month), day, hour, minute, sec, nsec, time.UTC)
	if t.Day() != day { // time.Date normalised an impossible date such as Feb 30
		return time.Time{}, fmt.Errorf("%q is not a valid date", s)
	}
	return t.Add(-time.Duration(offset) * time.Second), nil
}

type timeParser struct {
	s  []byte
	i  int
	ok bool
}

func (p *timeParser) digits(n int) int {
	if !p.ok || p.i+n > len(p.s) {
		p.ok = false
		return 0
	}
	v := 0
	for _, c := range p.s[p.i : p.i+n] {
		if c < '0' || c > '9' {
			p.ok = false
			return 0
		}
		v = v*10 + int(c-'0')
	}
	p.i += n
	return v
}

func (p *timeParser) expect(c byte) {
	if !p.ok || p.i >= len(p.s) || p.s[p.i] != c {
		p.ok = false
		return
	}
	p.i++
}

// fraction reads fractional seconds as nanoseconds; digits past the ninth
// are below the resolution of time.Time and are dropped.
func (p *timeParser) fraction() int {
	n, scale, count := 0, 100_000_000, 0
	for p.i < len(p.s) && p.s[p.i] >= '0' && p.s[p.i] <= '9' {
		if count < 9 {
			n += int(p.s[p.i]-'0') * scale
			scale /= 10
		}
		count++
		p.i++
	}
	if count == 0 {
		p.ok = false
	}
	return n
}

// zone reads an optional Z or numeric offset and returns it in seconds east
// of UTC. No zone means UTC: Azure writes its times in UTC and some exports
// leave the Z off.
func (p *timeParser) zone() int {
	if !p.ok || p.i >= len(p.s) {
		return 0
	}
	switch c := p.s[p.i]; c {
	case 'Z', 'z':
		p.i++
		return 0
	case '+', '-':
		p.i++
		h := p.digits(2)
		m := 0
		if p.ok && p.i < len(p.s) {
			if p.s[p.i] == ':' {
				p.i++
			}
			m = p.digits(2)
		}
		if h > 23 || m > 59 {
			p.ok = false
		}
		off := h*3600 + m*60
		if c == '-' {
			off = -off
		}
		return off
	}
	return 0
}

package genutil

import (
	"strconv"
	"strings"

	"streamsqld/sql/pgerror"
)

// Options is a case-insensitive view of a relation's WITH options.
type Options struct {
	m map[string]string
}

// NewOptions copies opts with lower-cased keys.
func NewOptions(opts map[string]string) Options {
	m := make(map[string]string, len(opts))
	for k, v := range opts {
		m[strings.ToLower(strings.TrimSpace(k))] = strings.TrimSpace(v)
	}
	return Options{m: m}
}

// Get returns the raw value of key.
func (o Options) Get(key string) (string, bool) {
	v, ok := o.m[key]
	return v, ok
}

// Keys calls fn for every option key (lower case).
func (o Options) Keys(fn func(key string)) {
	for k := range o.m {
		fn(k)
	}
}

// String returns key's value, or def when it is absent.
func (o Options) String(key, def string) string {
	if v, ok := o.m[key]; ok {
		return v
	}
	return def
}

// Int parses key as an integer; def when absent.
func (o Options) Int(key string, def int64) (int64, error) {
	v, ok := o.m[key]
	if !ok {
		return def, nil
	}
	n, err := strconv.ParseInt(strings.ReplaceAll(v, "_", ""), 10, 64)
	if err != nil {
		return 0, invalid(key, v, "an integer")
	}
	return n, nil
}

// IntRange is Int with bounds checked (inclusive).
func (o Options) IntRange(key string, def, lo, hi int64) (int64, error) {
	n, err := o.Int(key, def)
	if err != nil {
		return 0, err
	}
	if n < lo || n > hi {
		return 0, pgerror.Newf(pgerror.InvalidParameterValue,
			"option %q must be between %d and %d, got %d", key, lo, hi, n)
	}
	return n, nil
}

// Float parses key as a number; def when absent.
func (o Options) Float(key string, def float64) (float64, error) {
	v, ok := o.m[key]
	if !ok {
		return def, nil
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil {
		return 0, invalid(key, v, "a number")
	}
	return f, nil
}

// Bool parses key as a boolean (true/false, on/off, 1/0); def when absent.
func (o Options) Bool(key string, def bool) (bool, error) {
	v, ok := o.m[key]
	if !ok {
		return def, nil
	}
	switch strings.ToLower(v) {
	case "true", "t", "on", "yes", "1":
		return true, nil
	case "false", "f", "off", "no", "0":
		return false, nil
	}
	return false, invalid(key, v, "a boolean")
}

func invalid(key, val, want string) error {
	return pgerror.Newf(pgerror.InvalidParameterValue,
		"invalid value for option %q: %q is not %s", key, val, want)
}

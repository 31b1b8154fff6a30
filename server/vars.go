package server

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"streamsqld/sql/pgerror"
)

// sessionVar describes a run-time parameter as PostgreSQL's pg_settings does.
type sessionVar struct {
	name        string // canonical spelling, as SHOW ALL prints it
	def         string
	description string
	// report marks parameters announced with ParameterStatus at startup and
	// whenever they change (PostgreSQL's GUC_REPORT).
	report bool
	// readOnly parameters cannot be SET (55P02).
	readOnly bool
	// normalize validates and canonicalises a new value.
	normalize func(string) (string, error)
}

var knownVars = func() map[string]*sessionVar {
	vars := []*sessionVar{
		{name: "server_version", def: ServerVersion, description: "Shows the server version.", report: true, readOnly: true},
		{name: "server_version_num", def: "150000", description: "Shows the server version as an integer.", readOnly: true},
		{name: "server_encoding", def: "UTF8", description: "Shows the server (database) character set encoding.", report: true, readOnly: true},
		{name: "client_encoding", def: "UTF8", description: "Sets the client's character set encoding.", report: true, normalize: normalizeEncoding},
		{name: "DateStyle", def: "ISO, MDY", description: "Sets the display format for date and time values.", report: true, normalize: normalizeDateStyle},
		{name: "IntervalStyle", def: "postgres", description: "Sets the display format for interval values.", report: true, normalize: onlyValue("postgres")},
		{name: "TimeZone", def: "UTC", description: "Sets the time zone for displaying and interpreting time stamps.", report: true, normalize: normalizeTimeZone},
		{name: "integer_datetimes", def: "on", description: "Shows whether datetimes are integer based.", report: true, readOnly: true},
		{name: "standard_conforming_strings", def: "on", description: "Causes '...' strings to treat backslashes literally.", report: true, normalize: onlyValue("on")},
		{name: "application_name", def: "", description: "Sets the application name to be reported in statistics and logs.", report: true},
		{name: "is_superuser", def: "on", description: "Shows whether the current user is a superuser.", report: true, readOnly: true},
		{name: "session_authorization", def: "", description: "Sets the session user name.", report: true, readOnly: true},
		{name: "extra_float_digits", def: "1", description: "Sets the number of digits displayed for floating-point values."},
		{name: "search_path", def: `"$user", public`, description: "Sets the schema search order for names that are not schema-qualified."},
		{name: "statement_timeout", def: "0", normalize: normalizeMillis("statement_timeout"), description: "Sets the maximum allowed duration of any statement."},
		{name: "lock_timeout", def: "0", normalize: normalizeMillis("lock_timeout"), description: "Sets the maximum allowed duration of any wait for a lock."},
		{name: "idle_in_transaction_session_timeout", def: "0", normalize: normalizeMillis("idle_in_transaction_session_timeout"), description: "Sets the maximum allowed idle time between queries, when in a transaction."},
		{name: "transaction_isolation", def: "read committed", description: "Sets the current transaction's isolation level."},
		{name: "default_transaction_isolation", def: "read committed", description: "Sets the transaction isolation level of each new transaction."},
		{name: "transaction_read_only", def: "off", description: "Sets the current transaction's read-only status."},
		{name: "default_transaction_read_only", def: "off", description: "Sets the default read-only status of new transactions."},
		{name: "max_identifier_length", def: "63", description: "Shows the maximum identifier length.", readOnly: true},
		{name: "max_index_keys", def: "32", description: "Shows the maximum number of index keys.", readOnly: true},
		{name: "lc_collate", def: "C.UTF-8", description: "Shows the collation order locale.", readOnly: true},
		{name: "lc_ctype", def: "C.UTF-8", description: "Shows the character classification and case conversion locale.", readOnly: true},
		{name: "lc_messages", def: "C.UTF-8", description: "Sets the language in which messages are displayed."},
		{name: "lc_monetary", def: "C.UTF-8", description: "Sets the locale for formatting monetary amounts."},
		{name: "lc_numeric", def: "C.UTF-8", description: "Sets the locale for formatting numbers."},
		{name: "lc_time", def: "C.UTF-8", description: "Sets the locale for formatting date and time values."},
		{name: "bytea_output", def: "hex", description: "Sets the output format for bytea."},
		{name: "client_min_messages", def: "notice", description: "Sets the message levels that are sent to the client."},
		{name: "row_security", def: "on", description: "Enable row security."},
		{name: "synchronous_commit", def: "on", description: "Sets the current transaction's synchronization level."},
		{name: "timezone_abbreviations", def: "Default", description: "Selects a file of time zone abbreviations."},
		{name: "geqo", def: "on", description: "Enables genetic query optimization."},
		{name: "jit", def: "off", description: "Allow JIT compilation."},
		{name: "work_mem", def: "4MB", description: "Sets the maximum memory to be used for query workspaces."},
		{name: "streaming_parallelism", def: "0", description: "Parallelism of materialized views created by this session (0: the server's --parallelism)."},
	}
	m := make(map[string]*sessionVar, len(vars)+len(pg15Settings))
	for _, v := range vars {
		m[strings.ToLower(v.name)] = v
	}
	for _, ps := range pg15Settings {
		if _, ok := m[strings.ToLower(ps.name)]; ok {
			continue
		}
		v := &sessionVar{name: ps.name, def: ps.def, description: ps.description, readOnly: !ps.settable}
		switch ps.vartype {
		case "bool":
			v.normalize = normalizeBool(ps.name)
		case "enum":
			v.normalize = normalizeEnum(ps.name, strings.Split(ps.enumvals, ","))
		}
		m[strings.ToLower(ps.name)] = v
	}
	return m
}()

// normalizeBool reads a boolean parameter as PostgreSQL's parse_bool does
// (on, off, true, false, yes, no, 1, 0 and their unique prefixes).
func normalizeBool(name string) func(string) (string, error) {
	return func(v string) (string, error) {
		l := strings.ToLower(strings.TrimSpace(v))
		switch {
		case l == "1", l == "on", len(l) >= 1 && (strings.HasPrefix("true", l) || strings.HasPrefix("yes", l)):
			return "on", nil
		case l == "0", len(l) >= 2 && strings.HasPrefix("off", l), len(l) >= 1 && (strings.HasPrefix("false", l) || strings.HasPrefix("no", l)):
			return "off", nil
		}
		return "", pgerror.Newf(pgerror.InvalidParameterValue, "parameter \"%s\" requires a Boolean value", name)
	}
}

// normalizeEnum accepts one of an enum parameter's values, in any case.
func normalizeEnum(name string, values []string) func(string) (string, error) {
	return func(v string) (string, error) {
		for _, e := range values {
			if strings.EqualFold(e, strings.TrimSpace(v)) {
				return e, nil
			}
		}
		return "", pgerror.Newf(pgerror.InvalidParameterValue, "invalid value for parameter \"%s\": \"%s\"", name, v).
			WithHint("Available values: " + strings.Join(values, ", ") + ".")
	}
}

// normalizeMillis reads a time parameter whose unit is the millisecond
// and prints it as PostgreSQL does: in the largest unit that divides it
// ("1000" and "1s" are both "1s", "90s" stays "90s").
func normalizeMillis(name string) func(string) (string, error) {
	return func(v string) (string, error) {
		var n float64
		_, err := fmt.Sscanf(strings.TrimSpace(strings.Trim(v, "'")), "%g", &n)
		d := parseDurationSetting(v, time.Millisecond)
		if err != nil || n < 0 || d == 0 && n != 0 {
			return "", pgerror.Newf(pgerror.InvalidParameterValue, "invalid value for parameter \"%s\": \"%s\"", name, v)
		}
		ms := d.Milliseconds()
		if ms == 0 {
			return "0", nil
		}
		for _, u := range []struct {
			n    int64
			unit string
		}{{86400000, "d"}, {3600000, "h"}, {60000, "min"}, {1000, "s"}} {
			if ms%u.n == 0 {
				return strconv.FormatInt(ms/u.n, 10) + u.unit, nil
			}
		}
		return strconv.FormatInt(ms, 10) + "ms", nil
	}
}

func onlyValue(allowed string) func(string) (string, error) {
	return func(v string) (string, error) {
		if strings.EqualFold(v, allowed) {
			return allowed, nil
		}
		return "", pgerror.Newf(pgerror.InvalidParameterValue, "invalid value %q: only %q is supported", v, allowed)
	}
}

func normalizeEncoding(v string) (string, error) {
	switch strings.ToUpper(strings.ReplaceAll(v, "-", "")) {
	case "UTF8", "UNICODE":
		return "UTF8", nil
	case "SQL_ASCII":
		// Clients such as older JDBC drivers ask for SQL_ASCII and then
		// send UTF-8 anyway; treating it as UTF8 is what they expect.
		return "UTF8", nil
	}
	return "", pgerror.Newf(pgerror.InvalidParameterValue, "invalid value for parameter \"client_encoding\": %q", v).
		WithHint("streamsqld only supports UTF8.")
}

func normalizeDateStyle(v string) (string, error) {
	parts := strings.Split(v, ",")
	for _, p := range parts {
		switch strings.ToUpper(strings.TrimSpace(p)) {
		case "ISO", "MDY", "":
		default:
			return "", pgerror.Newf(pgerror.InvalidParameterValue, "invalid value for parameter \"DateStyle\": %q", v).
				WithDetail("streamsqld only supports the ISO, MDY date style.")
		}
	}
	return "ISO, MDY", nil
}

func normalizeTimeZone(v string) (string, error) {
	switch strings.ToUpper(v) {
	case "UTC", "GMT", "Z", "ZULU", "UCT", "ETC/UTC", "+00", "+00:00", "0", "LOCAL", "DEFAULT":
		return "UTC", nil
	}
	return "", pgerror.Newf(pgerror.InvalidParameterValue, "invalid value for parameter \"TimeZone\": %q", v).
		WithDetail("streamsqld evaluates and prints time stamps in UTC only.")
}

// sessionVars holds one session's parameter values.
type sessionVars struct {
	values map[string]string // lower-cased name -> value (only non-default)
	// startup holds the values the client's startup packet set, which
	// RESET restores (PostgreSQL's reset_val).
	startup map[string]string
	// custom holds placeholder variables (names with a dot, like
	// "myapp.setting"), which PostgreSQL accepts without declaration.
	custom map[string]string
}

func newSessionVars(startup map[string]string, user string) *sessionVars {
	s := &sessionVars{values: map[string]string{}, custom: map[string]string{}, startup: map[string]string{}}
	s.values["session_authorization"] = user
	for k, v := range startup {
		if k == "user" || k == "database" || k == "options" || k == "replication" {
			continue
		}
		if s.set(k, v) == nil {
			if val, ok := s.values[strings.ToLower(k)]; ok {
				s.startup[strings.ToLower(k)] = val
			}
		}
	}
	s.startup["session_authorization"] = user
	return s
}

func lookupVar(name string) (*sessionVar, bool) {
	v, ok := knownVars[strings.ToLower(name)]
	return v, ok
}

// get returns the value of a parameter; custom (dotted) names without a
// value are 42704, as in PostgreSQL.
func (s *sessionVars) get(name string) (string, error) {
	lname := strings.ToLower(name)
	if v, ok := knownVars[lname]; ok {
		if val, set := s.values[lname]; set {
			return val, nil
		}
		switch lname {
		case "transaction_isolation", "transaction_read_only", "transaction_deferrable":
			// Outside a transaction that set them, the characteristics
			// of the current transaction are the session's defaults.
			return s.get("default_" + lname)
		}
		return v.def, nil
	}
	if val, ok := s.custom[lname]; ok {
		return val, nil
	}
	return "", pgerror.Newf(pgerror.UndefinedObject, "unrecognized configuration parameter %q", name)
}

// set assigns a parameter and reports whether it is announced to the client.
func (s *sessionVars) set(name, value string) error {
	lname := strings.ToLower(name)
	v, ok := knownVars[lname]
	if !ok {
		if strings.Contains(lname, ".") {
			s.custom[lname] = value
			return nil
		}
		return pgerror.Newf(pgerror.UndefinedObject, "unrecognized configuration parameter %q", name)
	}
	if v.readOnly {
		return pgerror.Newf(pgerror.CantChangeRuntimeParam, "parameter %q cannot be changed", v.name)
	}
	if v.normalize != nil {
		nv, err := v.normalize(value)
		if err != nil {
			return err
		}
		value = nv
	}
	s.values[lname] = value
	return nil
}

// reset restores a parameter (or all with "all") to its default.
func (s *sessionVars) reset(name string) error {
	lname := strings.ToLower(name)
	if lname == "all" {
		s.values = map[string]string{}
		for k, v := range s.startup {
			s.values[k] = v
		}
		s.custom = map[string]string{}
		return nil
	}
	v, ok := knownVars[lname]
	if !ok {
		if _, ok := s.custom[lname]; ok || strings.Contains(lname, ".") {
			delete(s.custom, lname)
			return nil
		}
		return pgerror.Newf(pgerror.UndefinedObject, "unrecognized configuration parameter %q", name)
	}
	if v.readOnly {
		return pgerror.Newf(pgerror.CantChangeRuntimeParam, "parameter %q cannot be changed", v.name)
	}
	if val, ok := s.startup[lname]; ok {
		s.values[lname] = val
		return nil
	}
	delete(s.values, lname)
	return nil
}

// reported returns the GUC_REPORT parameters and their values.
func (s *sessionVars) reported() map[string]string {
	out := map[string]string{}
	for lname, v := range knownVars {
		if v.report {
			val, _ := s.get(lname)
			out[v.name] = val
		}
	}
	return out
}

// all lists every parameter for SHOW ALL, sorted by name.
func (s *sessionVars) all() [][3]string {
	var out [][3]string
	for lname, v := range knownVars {
		val, _ := s.get(lname)
		out = append(out, [3]string{v.name, val, v.description})
	}
	sort.Slice(out, func(i, j int) bool { return strings.ToLower(out[i][0]) < strings.ToLower(out[j][0]) })
	return out
}

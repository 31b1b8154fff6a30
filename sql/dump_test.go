package sql

import (
	"fmt"
	"reflect"
	"strconv"
	"strings"

	"streamsqld/sql/ast"
	"streamsqld/sql/pgerror"
	"streamsqld/sql/types"
)

// dump prints an ast tree canonically for golden files: one node per line
// with its position and non-zero scalar fields, child nodes indented
// under their field name. It is reflective so new fields show up without
// touching the tests.
func dump(n any) string {
	var b strings.Builder
	dumpValue(&b, reflect.ValueOf(n), 0)
	return strings.TrimRight(b.String(), "\n")
}

var typeT = reflect.TypeOf(types.T{})

func isScalar(v reflect.Value) bool {
	if v.Type() == typeT {
		return true
	}
	switch v.Kind() {
	case reflect.String, reflect.Bool, reflect.Int, reflect.Int32, reflect.Int64, reflect.Uint8:
		return true
	case reflect.Ptr:
		return v.Type().Elem().Kind() == reflect.Bool
	case reflect.Slice:
		return v.Type().Elem().Kind() == reflect.String
	}
	return false
}

func scalarText(v reflect.Value) string {
	if v.Type() == typeT {
		return v.Interface().(types.T).String()
	}
	switch v.Kind() {
	case reflect.String:
		return strconv.Quote(v.String())
	case reflect.Ptr:
		return strconv.FormatBool(v.Elem().Bool())
	case reflect.Slice:
		var parts []string
		for i := 0; i < v.Len(); i++ {
			parts = append(parts, strconv.Quote(v.Index(i).String()))
		}
		return "[" + strings.Join(parts, " ") + "]"
	}
	if k, ok := v.Interface().(ast.LiteralKind); ok {
		return [...]string{"Null", "Bool", "Int", "Decimal", "Float", "String", "Typed", "Interval"}[k]
	}
	return fmt.Sprint(v.Interface())
}

func dumpValue(b *strings.Builder, v reflect.Value, indent int) {
	for v.Kind() == reflect.Interface || v.Kind() == reflect.Ptr {
		if v.IsNil() {
			b.WriteString("nil\n")
			return
		}
		v = v.Elem()
	}
	t := v.Type()
	b.WriteString(t.Name())
	var children []int
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		fv := v.Field(i)
		if f.Name == "At" {
			if p := fv.Field(0).Int(); p != 0 {
				fmt.Fprintf(b, "@%d", p)
			}
			continue
		}
		if fv.IsZero() && fv.Type() != reflect.TypeOf(ast.LitNull) {
			continue
		}
		if isScalar(fv) {
			fmt.Fprintf(b, " %s=%s", f.Name, scalarText(fv))
			continue
		}
		children = append(children, i)
	}
	b.WriteByte('\n')
	pad := strings.Repeat("  ", indent+1)
	for _, i := range children {
		f := t.Field(i)
		fv := v.Field(i)
		if fv.Kind() == reflect.Slice {
			fmt.Fprintf(b, "%s%s:\n", pad, f.Name)
			for k := 0; k < fv.Len(); k++ {
				el := fv.Index(k)
				b.WriteString(pad + "- ")
				if el.Kind() == reflect.Slice { // VALUES rows
					b.WriteString("row\n")
					for j := 0; j < el.Len(); j++ {
						b.WriteString(pad + "    - ")
						dumpValue(b, el.Index(j), indent+3)
					}
					continue
				}
				dumpValue(b, el, indent+2)
			}
			continue
		}
		fmt.Fprintf(b, "%s%s: ", pad, f.Name)
		dumpValue(b, fv, indent+1)
	}
}

// dumpParsed renders Parse's result or error for golden files.
func dumpParsed(query string) string {
	ps, err := Parse(query)
	if err != nil {
		pe := pgerror.Flatten(err)
		return fmt.Sprintf("error %s at %d: %s", pe.Code, pe.Position, pe.Message)
	}
	var parts []string
	for _, p := range ps {
		s := dump(p.Stmt)
		if len(ps) > 1 {
			s = fmt.Sprintf("-- %s\n%s", p.SQL, s)
		}
		if p.NumParams > 0 {
			s += fmt.Sprintf("\nparams: %d", p.NumParams)
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, "\n")
}

package pgcatalog

import (
	"fmt"
	"sync"

	"streamsqld/sql/types"
)

// TypeInfo is the part of a pg_type row that other catalogs and functions
// need.
type TypeInfo struct {
	OID        uint32
	Name       string // typname: int4, _text ...
	Len        int16
	ByVal      bool
	Type       byte // typtype: b base, p pseudo
	Category   byte // typcategory
	Elem       uint32
	Array      uint32
	Align      byte
	Storage    byte
	Collation  uint32
	InputProc  uint32
	OutputProc uint32
}

type typeTables struct {
	byOID  map[uint32]*TypeInfo
	byName map[string]*TypeInfo
	err    error
}

// typeCatalog indexes the pg_type rows copied from PostgreSQL.
var typeCatalog = sync.OnceValue(func() *typeTables {
	tt := &typeTables{byOID: map[uint32]*TypeInfo{}, byName: map[string]*TypeInfo{}}
	t, _ := Lookup("pg_catalog", "pg_type")
	rows, err := parseStatic(t, pg15Data["pg_catalog.pg_type"])
	if err != nil {
		tt.err = err
		return tt
	}
	col := func(row types.Row, name string) types.Datum { return row[t.index[name]] }
	char := func(row types.Row, name string) byte {
		if s := col(row, name).Str(); s != "" {
			return s[0]
		}
		return 0
	}
	for _, row := range rows {
		ti := &TypeInfo{
			OID:        uint32(col(row, "oid").Int()),
			Name:       col(row, "typname").Str(),
			Len:        int16(col(row, "typlen").Int()),
			ByVal:      col(row, "typbyval").Bool(),
			Type:       char(row, "typtype"),
			Category:   char(row, "typcategory"),
			Elem:       uint32(col(row, "typelem").Int()),
			Array:      uint32(col(row, "typarray").Int()),
			Align:      char(row, "typalign"),
			Storage:    char(row, "typstorage"),
			Collation:  uint32(col(row, "typcollation").Int()),
			InputProc:  uint32(col(row, "typinput").Int()),
			OutputProc: uint32(col(row, "typoutput").Int()),
		}
		tt.byOID[ti.OID] = ti
		tt.byName[ti.Name] = ti
	}
	return tt
})

// TypeInfoByOID returns the pg_type data of the type with OID oid.
func TypeInfoByOID(oid uint32) (*TypeInfo, bool) {
	ti, ok := typeCatalog().byOID[oid]
	return ti, ok
}

// TypeByOID returns pg_type.typname of the type with OID oid ("int4",
// "_text").
func TypeByOID(oid uint32) (name string, ok bool) {
	ti, ok := typeCatalog().byOID[oid]
	if !ok {
		return "", false
	}
	return ti.Name, true
}

// TypeOIDByName returns the OID of the type whose typname is name.
func TypeOIDByName(name string) (uint32, bool) {
	ti, ok := typeCatalog().byName[name]
	if !ok {
		return 0, false
	}
	return ti.OID, true
}

// typeOf returns the pg_type data of t, which every streamsqld type has.
func typeOf(t types.T) (*TypeInfo, error) {
	tt := typeCatalog()
	if tt.err != nil {
		return nil, tt.err
	}
	ti, ok := tt.byOID[t.OID()]
	if !ok {
		return nil, fmt.Errorf("pgcatalog: no pg_type row for %s (OID %d)", t, t.OID())
	}
	return ti, nil
}

type procTables struct {
	names map[uint32]string
	oids  map[string]uint32 // the lowest OID of each name
}

// procCatalog indexes the pg_proc rows copied from PostgreSQL.
var procCatalog = sync.OnceValue(func() *procTables {
	pt := &procTables{names: map[uint32]string{}, oids: map[string]uint32{}}
	t, _ := Lookup("pg_catalog", "pg_proc")
	oidCol, nameCol := t.index["oid"], t.index["proname"]
	for _, rec := range pg15Data["pg_catalog.pg_proc"] {
		var oid uint32
		if _, err := fmt.Sscan(rec[oidCol], &oid); err != nil {
			continue
		}
		name := rec[nameCol]
		pt.names[oid] = name
		if old, ok := pt.oids[name]; !ok || oid < old {
			pt.oids[name] = oid
		}
	}
	return pt
})

// RegprocName is regproc's output: the function's name, "-" for 0, or the
// number when pg_proc does not list the function.
func RegprocName(oid uint32) string {
	if oid == 0 {
		return "-"
	}
	if n, ok := procCatalog().names[oid]; ok {
		return n
	}
	if n, ok := amHandlerNames[oid]; ok {
		return n
	}
	return fmt.Sprint(oid)
}

// amHandlerNames name the access method handlers pg_am refers to, which
// are no functions streamsqld has (and so not in pg_proc).
var amHandlerNames = map[uint32]string{
	3: "heap_tableam_handler", 330: "bthandler", 331: "hashhandler", 332: "gisthandler",
	333: "ginhandler", 334: "spghandler", 335: "brinhandler",
}

// RegprocOID is regproc's input for a function name (possibly qualified
// with pg_catalog) or a number.
func RegprocOID(name string) (uint32, bool) {
	if oid, ok := parseOIDText(name); ok {
		return oid, true
	}
	schema, rel, err := splitQualified(name)
	if err != nil || (schema != "" && schema != "pg_catalog") {
		return 0, false
	}
	oid, ok := procCatalog().oids[rel]
	return oid, ok
}

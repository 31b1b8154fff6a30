package catalog

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"go.uber.org/goleak"

	"streamsqld/sql/pgerror"
	"streamsqld/sql/types"
	"streamsqld/storage"
)

func openDB(t *testing.T, dir string) *storage.DB {
	t.Helper()
	db, err := storage.Open(dir, storage.Options{
		Logger:     slog.New(slog.NewTextHandler(io.Discard, nil)),
		GCInterval: -1,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return db
}

func openCatalog(t *testing.T, db *storage.DB) *Catalog {
	t.Helper()
	c, err := Open(db)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func mustCreate(t *testing.T, c *Catalog, r *Relation) *Relation {
	t.Helper()
	got, created, err := c.Create(r, false)
	if err != nil || !created {
		t.Fatalf("create %q: created=%v err=%v", r.Name, created, err)
	}
	return got
}

func view(name string, deps ...*Relation) *Relation {
	r := &Relation{Kind: MaterializedView, Name: name, SQL: "CREATE MATERIALIZED VIEW " + name + " AS ...",
		Columns: []types.Column{{Name: "n", Type: types.TInt8}}, KeyColumns: []int{0}, Parallelism: 2}
	for _, d := range deps {
		r.DependsOn = append(r.DependsOn, d.ID)
	}
	return r
}

func names(rs []*Relation) string {
	var s []string
	for _, r := range rs {
		s = append(s, r.Name)
	}
	return strings.Join(s, ",")
}

func pgErr(t *testing.T, err error, code string) *pgerror.Error {
	t.Helper()
	var pe *pgerror.Error
	if !errors.As(err, &pe) || pe.Code != code {
		t.Fatalf("got error %v, want SQLSTATE %s", err, code)
	}
	return pe
}

func TestPersistenceAcrossRestart(t *testing.T) {
	dir := t.TempDir()
	db := openDB(t, dir)
	c := openCatalog(t, db)
	src := mustCreate(t, c, &Relation{
		Kind: Source, Name: "events", SQL: "CREATE SOURCE events (...)",
		Columns:   []types.Column{{Name: "ts", Type: types.TTimestamp}, {Name: "amount", Type: types.T{Fam: types.Numeric, Mod: types.NumericMod(10, 2)}}},
		Connector: "kafka", Options: map[string]string{"topic": "ev"}, Format: "json",
		WatermarkColumn: "ts", WatermarkDelay: types.IntervalValue{Micros: 5e6}, HasWatermark: true,
	})
	if src.ID != FirstID || src.CreatedAt.IsZero() {
		t.Fatalf("source got id %d created %v", src.ID, src.CreatedAt)
	}
	tbl := mustCreate(t, c, &Relation{Kind: Table, Name: "t", Columns: []types.Column{{Name: "a", Type: types.TText}}})
	v := mustCreate(t, c, view("v", src, tbl))
	ids, err := c.AllocateIDs(3)
	if err != nil || ids != v.ID+1 {
		t.Fatalf("AllocateIDs = %d %v", ids, err)
	}
	if _, err := c.Drop("t", Table, false, true); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	db = openDB(t, dir)
	c = openCatalog(t, db)
	s := c.Snapshot()
	if got := names(s.List(AnyKind)); got != "events" {
		t.Fatalf("relations after restart: %s", got)
	}
	got, ok := s.Lookup("events")
	if !ok {
		t.Fatal("events lost")
	}
	if got.ID != src.ID || got.Connector != "kafka" || got.Options["topic"] != "ev" || !got.HasWatermark ||
		got.WatermarkDelay.Micros != 5e6 || got.Columns[1].Type != src.Columns[1].Type || !got.CreatedAt.Equal(src.CreatedAt) {
		t.Fatalf("events changed across restart: %+v", got)
	}
	if r, ok := s.ByID(src.ID); !ok || r != got {
		t.Fatal("ByID disagrees with Lookup")
	}
	// Ids are never reused, not even those of dropped relations or of
	// allocations made before the restart.
	again := mustCreate(t, c, &Relation{Kind: Table, Name: "t"})
	if again.ID != ids+3 {
		t.Fatalf("new id %d, want %d", again.ID, ids+3)
	}
}

func TestCreateErrors(t *testing.T) {
	c := openCatalog(t, openDB(t, t.TempDir()))
	tbl := mustCreate(t, c, &Relation{Kind: Table, Name: "t"})
	_, _, err := c.Create(&Relation{Kind: MaterializedView, Name: "t"}, false)
	if pe := pgErr(t, err, pgerror.DuplicateTable); pe.Message != `relation "t" already exists` {
		t.Fatalf("message %q", pe.Message)
	}
	got, created, err := c.Create(&Relation{Kind: Table, Name: "t"}, true)
	if err != nil || created || got != tbl {
		t.Fatalf("IF NOT EXISTS: %v %v %v", got, created, err)
	}
	_, _, err = c.Create(&Relation{Kind: MaterializedView, Name: "v", DependsOn: []uint32{999}}, false)
	pgErr(t, err, pgerror.UndefinedTable)
	// The caller's relation is copied, never retained.
	in := &Relation{Kind: Table, Name: "u", Columns: []types.Column{{Name: "a"}}}
	out := mustCreate(t, c, in)
	in.Columns[0].Name = "changed"
	if out.Columns[0].Name != "a" || in.ID != 0 {
		t.Fatal("Create retained or modified its argument")
	}
}

func TestDrop(t *testing.T) {
	c := openCatalog(t, openDB(t, t.TempDir()))
	src := mustCreate(t, c, &Relation{Kind: Source, Name: "s"})
	tbl := mustCreate(t, c, &Relation{Kind: Table, Name: "t"})
	v1 := mustCreate(t, c, view("v1", tbl))
	v2 := mustCreate(t, c, view("v2", v1, tbl)) // diamond: t -> v1 -> v2 and t -> v2
	mustCreate(t, c, view("v3", v2))
	mustCreate(t, c, view("other", src))

	_, err := c.Drop("missing", MaterializedView, false, false)
	if pe := pgErr(t, err, pgerror.UndefinedTable); pe.Message != `materialized view "missing" does not exist` {
		t.Fatalf("message %q", pe.Message)
	}
	if dropped, err := c.Drop("missing", Table, true, false); err != nil || dropped != nil {
		t.Fatalf("IF EXISTS: %v %v", dropped, err)
	}

	_, err = c.Drop("t", MaterializedView, false, false)
	pe := pgErr(t, err, pgerror.WrongObjectType)
	if pe.Message != `"t" is not a materialized view` || pe.Hint != "Use DROP TABLE to remove a table." {
		t.Fatalf("wrong kind: %q hint %q", pe.Message, pe.Hint)
	}

	before := c.Snapshot()
	_, err = c.Drop("t", Table, false, false)
	pe = pgErr(t, err, pgerror.DependentObjectsStillExist)
	wantDetail := "materialized view v1 depends on table t\n" +
		"materialized view v2 depends on materialized view v1\n" +
		"materialized view v3 depends on materialized view v2"
	if pe.Message != "cannot drop table t because other objects depend on it" || pe.Detail != wantDetail ||
		pe.Hint != "Use DROP ... CASCADE to drop the dependent objects too." {
		t.Fatalf("dependents: %q\n%q\n%q", pe.Message, pe.Detail, pe.Hint)
	}
	if c.Snapshot() != before {
		t.Fatal("a failed drop changed the catalog")
	}

	dropped, err := c.Drop("t", Table, false, true)
	if err != nil {
		t.Fatal(err)
	}
	if got := names(dropped); got != "v3,v2,v1,t" {
		t.Fatalf("cascade order %s", got)
	}
	s := c.Snapshot()
	if got := names(s.List(AnyKind)); got != "other,s" {
		t.Fatalf("left %s", got)
	}
	if got := names(s.Dependents(src.ID)); got != "other" {
		t.Fatalf("dependents of s: %s", got)
	}
	if len(s.Dependents(tbl.ID)) != 0 || len(s.Dependents(v2.ID)) != 0 {
		t.Fatal("dependents of dropped relations remain")
	}
	// The old snapshot is unchanged.
	if _, ok := before.Lookup("v3"); !ok || len(before.List(MaterializedView)) != 4 {
		t.Fatal("an old snapshot changed")
	}
	if got := names(before.List(MaterializedView)); got != "other,v1,v2,v3" {
		t.Fatalf("List(MaterializedView) = %s", got)
	}
	if dropped, err := c.Drop("other", AnyKind, false, false); err != nil || names(dropped) != "other" {
		t.Fatalf("drop leaf: %v %v", names(dropped), err)
	}
}

func TestConcurrentReadersAndWriters(t *testing.T) {
	c := openCatalog(t, openDB(t, t.TempDir()))
	base := mustCreate(t, c, &Relation{Kind: Table, Name: "base"})
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				s := c.Snapshot()
				// Within one snapshot every view's dependencies resolve.
				for _, r := range s.List(AnyKind) {
					for _, d := range r.DependsOn {
						if _, ok := s.ByID(d); !ok {
							t.Errorf("snapshot %d: %s depends on missing %d", s.Version(), r.Name, d)
							return
						}
					}
				}
				_ = s.Dependents(base.ID)
			}
		}()
	}
	var writers sync.WaitGroup
	for w := 0; w < 4; w++ {
		writers.Add(1)
		go func() {
			defer writers.Done()
			for i := 0; i < 20; i++ {
				name := fmt.Sprintf("v_%d_%d", w, i)
				if _, _, err := c.Create(view(name, base), false); err != nil {
					t.Error(err)
					return
				}
				if i%2 == 0 {
					if _, err := c.Drop(name, MaterializedView, false, false); err != nil {
						t.Error(err)
						return
					}
				}
			}
		}()
	}
	writers.Wait()
	close(stop)
	wg.Wait()
	if n := len(c.Snapshot().Dependents(base.ID)); n != 40 {
		t.Fatalf("base has %d dependents, want 40", n)
	}
}

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

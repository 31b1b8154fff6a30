// Package catalog keeps the descriptors of sources, tables, materialized
// views and sinks, persisted in storage's metadata namespace so that the
// definitions survive a restart.
//
// Readers take a *Snapshot, which never changes: planning a statement
// against one snapshot sees one consistent catalog however long it takes.
// Writers (DDL) are serialized by the Catalog's mutex; each builds a new
// snapshot, persists the change, and only then publishes the snapshot, so
// a reader never sees a definition that a restart would lose.
//
// Relations handed out by the catalog are shared and must not be modified;
// use Clone to derive a new definition.
//
// Persisted keys (under storage's metadata namespace):
//
//	catalog/rel/<id(4, big-endian)>   JSON relation record
//	catalog/next_id                   next unallocated id (4, big-endian)
package catalog

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"streamsqld/sql/pgerror"
	"streamsqld/sql/types"
	"streamsqld/storage"
)

// Kind is the kind of a relation.
type Kind uint8

const (
	// AnyKind matches every kind in List and Drop.
	AnyKind Kind = iota
	Source
	Table
	MaterializedView
	Sink
)

// String returns the kind as PostgreSQL names it in messages.
func (k Kind) String() string {
	switch k {
	case Source:
		return "source"
	case Table:
		return "table"
	case MaterializedView:
		return "materialized view"
	case Sink:
		return "sink"
	}
	return "relation"
}

// FirstID is the first id handed out. Ids double as pg_class OIDs, and
// PostgreSQL starts user objects at 16384.
const FirstID uint32 = 16384

// Relation describes one source, table, materialized view or sink.
type Relation struct {
	ID      uint32
	Kind    Kind
	Name    string // normalized by the caller: lower-cased unless quoted
	Columns []types.Column
	SQL     string // the full CREATE statement, for SHOW CREATE and re-planning

	// Source-specific.
	Connector       string
	Options         map[string]string
	Format          string
	WatermarkColumn string
	WatermarkDelay  types.IntervalValue
	HasWatermark    bool

	// View-specific.
	DependsOn   []uint32 // relations the view reads
	KeyColumns  []int    // the view's key (group key) positions; nil = append-only
	Parallelism int
	// StateTables are the storage state-table ids the view's operators
	// use, so DROP can delete their state.
	StateTables []uint32

	CreatedAt time.Time
}

// Clone returns a deep copy of r.
func (r *Relation) Clone() *Relation {
	c := *r
	c.Columns = slices.Clone(r.Columns)
	c.Options = maps.Clone(r.Options)
	c.DependsOn = slices.Clone(r.DependsOn)
	c.KeyColumns = slices.Clone(r.KeyColumns)
	c.StateTables = slices.Clone(r.StateTables)
	return &c
}

// ColumnIndex returns the position of the column named name, or -1.
func (r *Relation) ColumnIndex(name string) int {
	for i, c := range r.Columns {
		if c.Name == name {
			return i
		}
	}
	return -1
}

// Snapshot is an immutable view of the catalog.
type Snapshot struct {
	version    uint64
	byName     map[string]*Relation
	byID       map[uint32]*Relation
	dependents map[uint32][]*Relation // sorted by name
}

// Version increases with every catalog change; equal versions mean equal
// contents.
func (s *Snapshot) Version() uint64 { return s.version }

// Lookup returns the relation named name, of any kind.
func (s *Snapshot) Lookup(name string) (*Relation, bool) {
	r, ok := s.byName[name]
	return r, ok
}

// ByID returns the relation with the given id.
func (s *Snapshot) ByID(id uint32) (*Relation, bool) {
	r, ok := s.byID[id]
	return r, ok
}

// List returns the relations of kind k (AnyKind: all), sorted by name.
func (s *Snapshot) List(k Kind) []*Relation {
	var out []*Relation
	for _, r := range s.byName {
		if k == AnyKind || r.Kind == k {
			out = append(out, r)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Dependents returns the relations that read relation id directly, sorted
// by name.
func (s *Snapshot) Dependents(id uint32) []*Relation {
	return slices.Clone(s.dependents[id])
}

func newSnapshot(version uint64, rels []*Relation) *Snapshot {
	s := &Snapshot{
		version:    version,
		byName:     make(map[string]*Relation, len(rels)),
		byID:       make(map[uint32]*Relation, len(rels)),
		dependents: make(map[uint32][]*Relation),
	}
	for _, r := range rels {
		s.byName[r.Name] = r
		s.byID[r.ID] = r
	}
	for _, r := range rels {
		for _, d := range r.DependsOn {
			s.dependents[d] = append(s.dependents[d], r)
		}
	}
	for _, deps := range s.dependents {
		sort.Slice(deps, func(i, j int) bool { return deps[i].Name < deps[j].Name })
	}
	return s
}

func (s *Snapshot) relations() []*Relation {
	return slices.Collect(maps.Values(s.byID))
}

// Catalog is the persistent, versioned set of relations. It is safe for
// concurrent use.
type Catalog struct {
	db   *storage.DB
	snap atomic.Pointer[Snapshot]

	mu     sync.Mutex // serializes writers
	nextID uint32     // guarded by mu
}

const (
	keyRelPrefix = "catalog/rel/"
	keyNextID    = "catalog/next_id"
	recordFormat = 1
)

// relRecord is the persisted form of a relation; F versions the format.
type relRecord struct {
	F   int       `json:"f"`
	Rel *Relation `json:"rel"`
}

func relKey(id uint32) []byte {
	return binary.BigEndian.AppendUint32([]byte(keyRelPrefix), id)
}

// Open loads the catalog persisted in db.
func Open(db *storage.DB) (*Catalog, error) {
	c := &Catalog{db: db, nextID: FirstID}
	if v, ok, err := db.MetaGet([]byte(keyNextID)); err != nil {
		return nil, fmt.Errorf("catalog: load: %w", err)
	} else if ok {
		if len(v) != 4 {
			return nil, fmt.Errorf("catalog: load: corrupt %s", keyNextID)
		}
		c.nextID = binary.BigEndian.Uint32(v)
	}
	var rels []*Relation
	err := db.MetaScan([]byte(keyRelPrefix), func(k, v []byte) error {
		var rec relRecord
		if err := json.Unmarshal(v, &rec); err != nil {
			return fmt.Errorf("catalog: load %q: %w", k, err)
		}
		if rec.F != recordFormat || rec.Rel == nil {
			return fmt.Errorf("catalog: load %q: unsupported record format %d", k, rec.F)
		}
		rels = append(rels, rec.Rel)
		return nil
	})
	if err != nil {
		return nil, err
	}
	for _, r := range rels {
		if r.ID >= c.nextID {
			return nil, fmt.Errorf("catalog: load: relation %q has id %d at or above next id %d", r.Name, r.ID, c.nextID)
		}
	}
	c.snap.Store(newSnapshot(1, rels))
	return c, nil
}

// Snapshot returns the current catalog. It never changes.
func (c *Catalog) Snapshot() *Snapshot { return c.snap.Load() }

// Create adds rel, assigning its ID (and CreatedAt when zero). When a
// relation of that name exists it returns that relation with created false
// if ifNotExists, or a 42P07 error. The returned relation is the stored copy.
func (c *Catalog) Create(rel *Relation, ifNotExists bool) (*Relation, bool, error) {
	if rel.Name == "" {
		return nil, false, pgerror.New(pgerror.InvalidName, "zero-length delimited identifier")
	}
	if rel.Kind < Source || rel.Kind > Sink {
		return nil, false, pgerror.Newf(pgerror.InternalError, "catalog: invalid relation kind %d", rel.Kind)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	old := c.snap.Load()
	if existing, ok := old.byName[rel.Name]; ok {
		if ifNotExists {
			return existing, false, nil
		}
		return nil, false, pgerror.Newf(pgerror.DuplicateTable, "relation %q already exists", rel.Name)
	}
	for _, d := range rel.DependsOn {
		if _, ok := old.byID[d]; !ok {
			return nil, false, pgerror.Newf(pgerror.UndefinedTable, "relation with OID %d does not exist", d)
		}
	}
	r := rel.Clone()
	r.ID = c.nextID
	if r.CreatedAt.IsZero() {
		r.CreatedAt = time.Now().UTC()
	}
	rec, err := json.Marshal(relRecord{F: recordFormat, Rel: r})
	if err != nil {
		return nil, false, fmt.Errorf("catalog: encode %q: %w", r.Name, err)
	}
	next := c.nextID + 1
	err = c.db.MetaUpdate(func(b *storage.MetaBatch) error {
		b.Put(relKey(r.ID), rec)
		b.Put([]byte(keyNextID), binary.BigEndian.AppendUint32(nil, next))
		return nil
	})
	if err != nil {
		return nil, false, fmt.Errorf("catalog: create %q: %w", r.Name, err)
	}
	c.nextID = next
	c.snap.Store(newSnapshot(old.version+1, append(old.relations(), r)))
	return r, true, nil
}

// AllocateIDs reserves n consecutive ids (for state tables, say) that no
// relation or later allocation will ever reuse, and returns the first.
func (c *Catalog) AllocateIDs(n int) (uint32, error) {
	if n <= 0 {
		return 0, fmt.Errorf("catalog: allocate %d ids", n)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	first := c.nextID
	next := uint64(first) + uint64(n)
	if next > 1<<32-1 {
		return 0, pgerror.New(pgerror.ProgramLimitExceeded, "out of object ids")
	}
	err := c.db.MetaUpdate(func(b *storage.MetaBatch) error {
		b.Put([]byte(keyNextID), binary.BigEndian.AppendUint32(nil, uint32(next)))
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("catalog: allocate ids: %w", err)
	}
	c.nextID = uint32(next)
	return first, nil
}

// Drop removes the relation named name, which must be of kind k (AnyKind:
// any). It returns the dropped relations, dependents before the relations
// they read, ending with the named one. A missing relation is a 42P01
// error, or nothing at all with ifExists (the caller sends the NOTICE).
// Dependents are dropped with cascade and are a 2BP01 error without.
func (c *Catalog) Drop(name string, k Kind, ifExists, cascade bool) ([]*Relation, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	old := c.snap.Load()
	r, ok := old.byName[name]
	if !ok {
		if ifExists {
			return nil, nil
		}
		return nil, pgerror.Newf(pgerror.UndefinedTable, "%s %q does not exist", k, name)
	}
	if k != AnyKind && r.Kind != k {
		return nil, pgerror.Newf(pgerror.WrongObjectType, "%q is not a %s", name, k).
			WithHint(fmt.Sprintf("Use DROP %s to remove a %s.", strings.ToUpper(r.Kind.String()), r.Kind))
	}
	order, edges := dropOrder(old, r)
	if len(order) > 1 && !cascade {
		return nil, pgerror.Newf(pgerror.DependentObjectsStillExist,
			"cannot drop %s %s because other objects depend on it", r.Kind, r.Name).
			WithDetail(strings.Join(edges, "\n")).
			WithHint("Use DROP ... CASCADE to drop the dependent objects too.")
	}
	err := c.db.MetaUpdate(func(b *storage.MetaBatch) error {
		for _, d := range order {
			b.Delete(relKey(d.ID))
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("catalog: drop %q: %w", name, err)
	}
	gone := make(map[uint32]bool, len(order))
	for _, d := range order {
		gone[d.ID] = true
	}
	rest := slices.DeleteFunc(old.relations(), func(x *Relation) bool { return gone[x.ID] })
	c.snap.Store(newSnapshot(old.version+1, rest))
	return order, nil
}

// dropOrder returns r and everything that depends on it, each after all of
// its own dependents (a post-order walk), and PostgreSQL-style DETAIL lines
// naming each dependent once, in walk order.
func dropOrder(s *Snapshot, r *Relation) (order []*Relation, edges []string) {
	seen := map[uint32]bool{}
	var visit func(x *Relation)
	visit = func(x *Relation) {
		seen[x.ID] = true
		for _, d := range s.dependents[x.ID] {
			if !seen[d.ID] {
				edges = append(edges, fmt.Sprintf("%s %s depends on %s %s", d.Kind, d.Name, x.Kind, x.Name))
				visit(d)
			}
		}
		order = append(order, x)
	}
	visit(r)
	return order, edges
}

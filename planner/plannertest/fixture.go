// Package plannertest builds the catalog that planner and executor tests
// bind against: a real catalog on a temporary Badger database, so the
// tests exercise the relations exactly as the server stores them.
package plannertest

import (
	"testing"

	"streamsqld/catalog"
	"streamsqld/sql/types"
	"streamsqld/storage"
)

// Relations of the test catalog.
//
//	tweets   source (id bigint, text varchar, author varchar, created_at timestamp), watermark created_at - 5 s
//	bids     source (auction bigint, bidder bigint, price bigint, channel varchar, url varchar, date_time timestamp, extra varchar), watermark date_time - 4 s
//	events   source (kind text, v integer, at timestamp), no watermark
//	users    table  (id integer, name text, age integer, created timestamptz)
//	orders   table  (id integer, user_id integer, amount numeric(10,2), status text)
//	hashtags materialized view (window_start, window_end timestamp, tag text, cnt bigint), key (window_start, window_end, tag)
//	person   source (id bigint, name, email_address, credit_card, city, state varchar, date_time timestamp, extra varchar), watermark date_time - 4 s
//	auction  source (id, item_name, description, initial_bid, reserve, date_time, expires, seller, category, extra), watermark date_time - 4 s
func Relations() []*catalog.Relation {
	col := func(name string, t types.T) types.Column { return types.Column{Name: name, Type: t} }
	return []*catalog.Relation{
		{Kind: catalog.Source, Name: "tweets", Connector: "datagen",
			Columns:      []types.Column{col("id", types.TInt8), col("text", types.TVarchar), col("author", types.TVarchar), col("created_at", types.TTimestamp)},
			HasWatermark: true, WatermarkColumn: "created_at", WatermarkDelay: types.IntervalValue{Micros: 5e6}},
		{Kind: catalog.Source, Name: "bids", Connector: "nexmark",
			Columns: []types.Column{col("auction", types.TInt8), col("bidder", types.TInt8), col("price", types.TInt8),
				col("channel", types.TVarchar), col("url", types.TVarchar), col("date_time", types.TTimestamp), col("extra", types.TVarchar)},
			HasWatermark: true, WatermarkColumn: "date_time", WatermarkDelay: types.IntervalValue{Micros: 4e6}},
		{Kind: catalog.Source, Name: "events", Connector: "datagen",
			Columns: []types.Column{col("kind", types.TText), col("v", types.TInt4), col("at", types.TTimestamp)}},
		{Kind: catalog.Table, Name: "users",
			Columns: []types.Column{col("id", types.TInt4), col("name", types.TText), col("age", types.TInt4), col("created", types.TTimestamptz)}},
		{Kind: catalog.Table, Name: "orders",
			Columns: []types.Column{col("id", types.TInt4), col("user_id", types.TInt4),
				col("amount", types.T{Fam: types.Numeric, Mod: types.NumericMod(10, 2)}), col("status", types.TText)}},
		{Kind: catalog.MaterializedView, Name: "hashtags",
			Columns:    []types.Column{col("window_start", types.TTimestamp), col("window_end", types.TTimestamp), col("tag", types.TText), col("cnt", types.TInt8)},
			KeyColumns: []int{0, 1, 2}},
		{Kind: catalog.Source, Name: "person", Connector: "nexmark",
			Columns: []types.Column{col("id", types.TInt8), col("name", types.TVarchar), col("email_address", types.TVarchar),
				col("credit_card", types.TVarchar), col("city", types.TVarchar), col("state", types.TVarchar),
				col("date_time", types.TTimestamp), col("extra", types.TVarchar)},
			HasWatermark: true, WatermarkColumn: "date_time", WatermarkDelay: types.IntervalValue{Micros: 4e6}},
		{Kind: catalog.Source, Name: "auction", Connector: "nexmark",
			Columns: []types.Column{col("id", types.TInt8), col("item_name", types.TVarchar), col("description", types.TVarchar),
				col("initial_bid", types.TInt8), col("reserve", types.TInt8), col("date_time", types.TTimestamp),
				col("expires", types.TTimestamp), col("seller", types.TInt8), col("category", types.TInt8), col("extra", types.TVarchar)},
			HasWatermark: true, WatermarkColumn: "date_time", WatermarkDelay: types.IntervalValue{Micros: 4e6}},
	}
}

// Catalog opens a catalog on a temporary database holding Relations and
// returns its snapshot. The database closes when the test ends.
func Catalog(t testing.TB) *catalog.Snapshot {
	t.Helper()
	db, err := storage.Open(t.TempDir(), storage.Options{NoSync: true, GCInterval: -1,
		MemTableSize: 16 << 20, BlockCacheSize: 1 << 20, IndexCacheSize: 1 << 20})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	cat, err := catalog.Open(db)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range Relations() {
		if _, _, err := cat.Create(r, false); err != nil {
			t.Fatal(err)
		}
	}
	return cat.Snapshot()
}

package nexmark

import (
	"context"
	"errors"
	"io"
	"reflect"
	"strings"
	"testing"
	"time"

	"streamsqld/catalog"
	"streamsqld/exec/connector"
	"streamsqld/sql/pgerror"
	"streamsqld/sql/types"
)

const baseMs = 1_700_000_000_000

func cols(spec string) []types.Column {
	var out []types.Column
	for _, f := range strings.Fields(spec) {
		name, typ, _ := strings.Cut(f, ":")
		t := types.TInt8
		switch typ {
		case "s":
			t = types.TVarchar
		case "t":
			t = types.TTimestamp
		case "i":
			t = types.TInt4
		}
		out = append(out, types.Column{Name: name, Type: t})
	}
	return out
}

var (
	bidCols     = cols("auction bidder price channel:s url:s date_time:t extra:s")
	personCols  = cols("id name:s email_address:s credit_card:s city:s state:s date_time:t extra:s")
	auctionCols = cols("id item_name:s description:s initial_bid reserve date_time:t expires:t seller category extra:s")
	eventCols   = cols("event_type:i date_time:t person_id person_name:s auction_id auction_seller bid_auction bid_price bid_date_time:t")
)

func opts(kv ...string) map[string]string {
	m := map[string]string{"nexmark.base.time": "1700000000000", "nexmark.seed": "7"}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return m
}

func mustSource(t testing.TB, c []types.Column, o map[string]string) *Source {
	t.Helper()
	s, err := newSource(c, o, time.UnixMilli(1))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func open(t testing.TB, s *Source, split string, pos []byte) connector.Reader {
	t.Helper()
	r, err := s.Open(context.Background(), split, pos)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func readN(t testing.TB, r connector.Reader, n, batch int) (rows []types.Row, eof bool) {
	t.Helper()
	for len(rows) < n {
		_, err := r.Read(context.Background(), min(batch, n-len(rows)), func(row types.Row) {
			rows = append(rows, append(types.Row(nil), row...))
		})
		if errors.Is(err, io.EOF) {
			return rows, true
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	return rows, false
}

func TestEventMix(t *testing.T) {
	s := mustSource(t, eventCols, opts("nexmark.event.num", "10000"))
	rows, eof := readN(t, open(t, s, "0/1", nil), 1<<20, 1000)
	if !eof || len(rows) != 10000 {
		t.Fatalf("%d rows, eof %v", len(rows), eof)
	}
	var counts [3]int
	for i, row := range rows {
		k := row[0].Int()
		counts[k]++
		// Event time is base + n * 100 us.
		if want := baseMs*1000 + int64(i)*100; row[1].Micros() != want {
			t.Fatalf("event %d time %d, want %d", i, row[1].Micros(), want)
		}
		// Only the columns of the event's kind are set.
		personSet, auctionSet, bidSet := !row[2].IsNull(), !row[4].IsNull(), !row[6].IsNull()
		if personSet != (k == 0) || auctionSet != (k == 1) || bidSet != (k == 2) {
			t.Fatalf("event %d of kind %d: %v", i, k, row)
		}
		if k == 2 && row[8].Micros() != row[1].Micros() {
			t.Fatal("bid date_time differs from event time")
		}
	}
	if counts != [3]int{200, 600, 9200} {
		t.Fatalf("mix %v, want 200/600/9200", counts)
	}
}

func TestDeterministicAndResumable(t *testing.T) {
	for _, tc := range []struct {
		c     []types.Column
		table string
	}{{bidCols, "Bid"}, {personCols, "Person"}, {auctionCols, "Auction"}, {eventCols, "Event"}} {
		o := opts("nexmark.table.type", tc.table)
		a := open(t, mustSource(t, tc.c, o), "2/3", nil)
		b := open(t, mustSource(t, tc.c, o), "2/3", nil)
		ra, _ := readN(t, a, 300, 100)
		rb, _ := readN(t, b, 300, 7)
		if !reflect.DeepEqual(ra, rb) {
			t.Fatalf("%s: same seed and split gave different rows", tc.table)
		}
		pos := a.Position()
		rest, _ := readN(t, a, 200, 50)
		resumed, _ := readN(t, open(t, mustSource(t, tc.c, o), "2/3", pos), 200, 200)
		if !reflect.DeepEqual(rest, resumed) {
			t.Fatalf("%s: resume from position differs", tc.table)
		}
	}
}

func TestSplitsCoverEventsOnce(t *testing.T) {
	s := mustSource(t, eventCols, opts("nexmark.event.num", "10000", "nexmark.split.num", "3"))
	splits, _ := s.Splits(context.Background(), 8)
	if len(splits) != 3 {
		t.Fatalf("splits %v", splits)
	}
	seen := map[int64]bool{}
	for _, sp := range splits {
		rows, eof := readN(t, open(t, s, sp, nil), 1<<20, 1024)
		if !eof {
			t.Fatal("no EOF")
		}
		for _, row := range rows {
			n := (row[1].Micros() - baseMs*1000) / 100
			if seen[n] {
				t.Fatalf("event %d twice", n)
			}
			seen[n] = true
		}
	}
	if len(seen) != 10000 || !seen[0] || !seen[9999] {
		t.Fatalf("covered %d events", len(seen))
	}
}

func TestBidFields(t *testing.T) {
	const events = 50_000
	s := mustSource(t, bidCols, opts("nexmark.table.type", "Bid", "nexmark.event.num", "50000"))
	rows, eof := readN(t, open(t, s, "0/1", nil), 1<<20, 4096)
	if !eof || len(rows) != events*46/50 {
		t.Fatalf("%d bids", len(rows))
	}
	maxAuction := int64(events/50*3 + firstAuctionID + auctionIDLead)
	maxPerson := int64(events/50 + firstPersonID + personIDLead)
	var prev int64
	hot := map[string]int{}
	for _, row := range rows {
		auction, bidder, price := row[0].Int(), row[1].Int(), row[2].Int()
		if auction < firstAuctionID || auction > maxAuction {
			t.Fatalf("auction %d", auction)
		}
		if bidder < firstPersonID || bidder > maxPerson {
			t.Fatalf("bidder %d", bidder)
		}
		if price < 100 || price > 100_000_000 {
			t.Fatalf("price %d", price)
		}
		ch, url := row[3].Str(), row[4].Str()
		if !strings.HasPrefix(url, "https://www.nexmark.com/") || ch == "" {
			t.Fatalf("channel %q url %q", ch, url)
		}
		hot[ch]++
		ts := row[5].Micros()
		if ts < prev {
			t.Fatal("bid dateTime went back with out.of.order.group.size = 1")
		}
		prev = ts
		if n := len(row[6].Str()); n < 54 || n > 82 {
			t.Fatalf("extra of %d bytes", n)
		}
	}
	// hot.channel.ratio 2: half the bids on the four hot channels.
	hotN := hot["Google"] + hot["Facebook"] + hot["Baidu"] + hot["Apple"]
	if hotN < len(rows)*4/10 || hotN > len(rows)*6/10 {
		t.Fatalf("%d of %d bids on hot channels", hotN, len(rows))
	}
}

func TestPersonAndAuctionFields(t *testing.T) {
	ps := mustSource(t, personCols, opts("nexmark.table.type", "person", "nexmark.event.num", "5000"))
	persons, _ := readN(t, open(t, ps, "0/1", nil), 1<<20, 100)
	if len(persons) != 100 {
		t.Fatalf("%d persons", len(persons))
	}
	for i, p := range persons {
		if p[0].Int() != firstPersonID+int64(i) {
			t.Fatalf("person %d id %d", i, p[0].Int())
		}
		if !strings.Contains(p[2].Str(), "@") || len(p[3].Str()) != 19 || len(p[5].Str()) != 2 {
			t.Fatalf("person %v", p)
		}
	}
	as := mustSource(t, auctionCols, opts("nexmark.table.type", "Auction", "nexmark.event.num", "5000"))
	auctions, _ := readN(t, open(t, as, "0/1", nil), 1<<20, 100)
	if len(auctions) != 300 {
		t.Fatalf("%d auctions", len(auctions))
	}
	for i, a := range auctions {
		if a[0].Int() != firstAuctionID+int64(i) {
			t.Fatalf("auction %d id %d", i, a[0].Int())
		}
		if a[3].Int() <= 0 || a[4].Int() < a[3].Int() {
			t.Fatalf("initial %d reserve %d", a[3].Int(), a[4].Int())
		}
		if a[6].Micros() <= a[5].Micros() {
			t.Fatal("auction expires before it starts")
		}
		if c := a[8].Int(); c < 10 || c > 14 {
			t.Fatalf("category %d", c)
		}
		if seller := a[7].Int(); seller < firstPersonID || seller > firstPersonID+int64(i/3)+personIDLead {
			t.Fatalf("seller %d", seller)
		}
	}
}

func TestOutOfOrderBounded(t *testing.T) {
	s := mustSource(t, eventCols, opts("nexmark.event.num", "5000", "nexmark.out.of.order.group.size", "10"))
	rows, _ := readN(t, open(t, s, "0/1", nil), 1<<20, 1000)
	var maxTS int64
	disorder := false
	seen := map[int64]bool{}
	for _, row := range rows {
		ts := row[1].Micros()
		if ts < maxTS {
			disorder = true
			if maxTS-ts >= 10*100 {
				t.Fatalf("disorder %d us beyond a group", maxTS-ts)
			}
		}
		maxTS = max(maxTS, ts)
		seen[ts] = true
	}
	if !disorder || len(seen) != 5000 {
		t.Fatalf("disorder %v, distinct %d", disorder, len(seen))
	}
}

func TestCamelAndSnakeCase(t *testing.T) {
	snake := mustSource(t, cols("auction bidder price date_time:t"), opts("nexmark.table.type", "BID"))
	camel := mustSource(t, cols("Auction BIDDER price dateTime:t"), opts("nexmark.table.type", "bid"))
	a, _ := readN(t, open(t, snake, "0/1", nil), 50, 50)
	b, _ := readN(t, open(t, camel, "0/1", nil), 50, 50)
	if !reflect.DeepEqual(a, b) || a[0][3].IsNull() {
		t.Fatal("camelCase and snake_case columns differ")
	}
}

// Split 0 of 50 holds only event ids that are 0 mod 50: persons.
func TestSplitWithoutKind(t *testing.T) {
	s := mustSource(t, bidCols, opts("nexmark.table.type", "Bid", "nexmark.event.num", "100000"))
	if _, eof := readN(t, open(t, s, "0/50", nil), 10, 10); !eof {
		t.Fatal("bid split holding no bids must end")
	}
	u := mustSource(t, bidCols, opts("nexmark.table.type", "Bid"))
	start := time.Now()
	n, err := open(t, u, "0/50", nil).Read(context.Background(), 10, func(types.Row) {})
	if n != 0 || err != nil || time.Since(start) < 50*time.Millisecond {
		t.Fatalf("unbounded empty split: %d, %v after %v", n, err, time.Since(start))
	}
	p := mustSource(t, personCols, opts("nexmark.table.type", "Person", "nexmark.event.num", "5000"))
	rows, _ := readN(t, open(t, p, "0/50", nil), 1000, 1000)
	if len(rows) != 100 {
		t.Fatalf("%d persons in split 0/50", len(rows))
	}
}

func TestRealTimePacing(t *testing.T) {
	s := mustSource(t, eventCols, opts("nexmark.use.real.time", "true", "nexmark.event.rate", "200"))
	r := open(t, s, "0/1", nil)
	got := 0
	start := time.Now()
	for time.Since(start) < 300*time.Millisecond {
		n, err := r.Read(context.Background(), 1000, func(types.Row) {})
		if err != nil {
			t.Fatal(err)
		}
		got += n
	}
	if got < 20 || got > 120 {
		t.Fatalf("%d events in 300 ms at 200/s", got)
	}
}

func TestOptionErrors(t *testing.T) {
	for _, o := range []map[string]string{
		{"nexmark.table.type": "Seller"},
		{"nexmark.evnt.num": "10"},
		{"nexmark.event.num": "-1"},
		{"nexmark.use.real.time": "maybe"},
		{"nexmark.min.event.gap.in.ns": "0"},
	} {
		if _, err := newSource(bidCols, o, time.Now()); err == nil || pgerror.Code(err) != pgerror.InvalidParameterValue {
			t.Errorf("%v: %v", o, err)
		}
	}
}

func TestRegistered(t *testing.T) {
	src, err := connector.New(context.Background(), Name, &catalog.Relation{
		Name: "bid", Columns: bidCols, Options: opts("nexmark.table.type", "Bid", "nexmark.event.num", "100"),
	}, connector.Env{})
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	splits, _ := src.Splits(context.Background(), 2)
	total := 0
	for _, sp := range splits {
		rows, _ := readN(t, open(t, src.(*Source), sp, nil), 1000, 1000)
		total += len(rows)
	}
	if total != 92 {
		t.Fatalf("%d bids in 100 events", total)
	}
}

func benchmarkTable(b *testing.B, c []types.Column, table string) {
	s := mustSource(b, c, opts("nexmark.table.type", table))
	r := open(b, s, "0/1", nil)
	ctx := context.Background()
	emit := func(types.Row) {}
	b.ReportAllocs()
	b.ResetTimer()
	for done := 0; done < b.N; {
		n, err := r.Read(ctx, min(1024, b.N-done), emit)
		if err != nil {
			b.Fatal(err)
		}
		done += n
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}

func BenchmarkBid(b *testing.B)     { benchmarkTable(b, bidCols, "Bid") }
func BenchmarkPerson(b *testing.B)  { benchmarkTable(b, personCols, "Person") }
func BenchmarkAuction(b *testing.B) { benchmarkTable(b, auctionCols, "Auction") }
func BenchmarkEvent(b *testing.B)   { benchmarkTable(b, eventCols, "Event") }

package datagen

import (
	"context"
	"errors"
	"io"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"streamsqld/catalog"
	"streamsqld/exec/connector"
	"streamsqld/sql/pgerror"
	"streamsqld/sql/types"
)

var tweetCols = []types.Column{
	{Name: "id", Type: types.TInt8},
	{Name: "ts", Type: types.TTimestamp},
	{Name: "author", Type: types.TVarchar},
	{Name: "text", Type: types.TText},
	{Name: "other", Type: types.TInt4},
}

func tweetOpts(extra ...string) map[string]string {
	m := map[string]string{
		"datagen.mode":         "tweets",
		"rows.per.second":      "0",
		"datagen.seed":         "42",
		"datagen.start.millis": "1700000000000",
	}
	for i := 0; i+1 < len(extra); i += 2 {
		m[extra[i]] = extra[i+1]
	}
	return m
}

func mustSource(t testing.TB, cols []types.Column, opts map[string]string) *Source {
	t.Helper()
	s, err := newSource(cols, opts, time.UnixMilli(1_600_000_000_000))
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

// readN reads up to n rows (fewer at EOF), copying them.
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

func TestDeterministicAndResumable(t *testing.T) {
	a := open(t, mustSource(t, tweetCols, tweetOpts()), "1/3", nil)
	b := open(t, mustSource(t, tweetCols, tweetOpts()), "1/3", nil)
	ra, _ := readN(t, a, 1000, 100)
	rb, _ := readN(t, b, 1000, 333)
	if !reflect.DeepEqual(ra, rb) {
		t.Fatal("same seed and split gave different rows")
	}

	pos := a.Position()
	rest, _ := readN(t, a, 500, 64)
	c := open(t, mustSource(t, tweetCols, tweetOpts()), "1/3", pos)
	resumed, _ := readN(t, c, 500, 500)
	if !reflect.DeepEqual(rest, resumed) {
		t.Fatal("resume from position differs")
	}

	other := open(t, mustSource(t, tweetCols, tweetOpts("datagen.seed", "43")), "1/3", nil)
	ro, _ := readN(t, other, 10, 10)
	if reflect.DeepEqual(ro, ra[:10]) {
		t.Fatal("different seeds gave the same rows")
	}
}

// Without datagen.start.millis the base is the creation time; it travels
// in the position, so a source created later resumes with the same times.
func TestBaseTravelsInPosition(t *testing.T) {
	opts := map[string]string{"rows.per.second": "0"}
	cols := []types.Column{{Name: "ts", Type: types.TTimestamp}}
	s1, _ := newSource(cols, opts, time.UnixMilli(1_000_000))
	s2, _ := newSource(cols, opts, time.UnixMilli(9_000_000))
	r1 := open(t, s1, "0/1", nil)
	readN(t, r1, 10, 10)
	pos := r1.Position()
	want, _ := readN(t, r1, 5, 5)
	got, _ := readN(t, open(t, s2, "0/1", pos), 5, 5)
	if !reflect.DeepEqual(want, got) {
		t.Fatalf("resumed on a later source: %v, want %v", got, want)
	}
	if want[0][0].Micros() != 1_000_000_000+10*1000 {
		t.Fatalf("ts of row 10 = %d", want[0][0].Micros())
	}
}

func TestSplitsCoverRowsOnce(t *testing.T) {
	cols := []types.Column{{Name: "k", Type: types.TInt8}, {Name: "v", Type: types.TInt4}}
	s := mustSource(t, cols, map[string]string{
		"rows.per.second":    "0",
		"datagen.rows.total": "10000",
		"fields.k.kind":      "sequence",
		"fields.k.start":     "5",
	})
	splits, err := s.Splits(context.Background(), 3)
	if err != nil || len(splits) != 3 {
		t.Fatalf("splits %v %v", splits, err)
	}
	seen := make(map[int64]bool)
	for _, sp := range splits {
		rows, eof := readN(t, open(t, s, sp, nil), 1<<20, 777)
		if !eof {
			t.Fatalf("split %s: no EOF", sp)
		}
		for _, row := range rows {
			k := row[0].Int()
			if seen[k] {
				t.Fatalf("row %d emitted twice", k)
			}
			seen[k] = true
		}
	}
	if len(seen) != 10000 || !seen[5] || !seen[10004] {
		t.Fatalf("covered %d rows", len(seen))
	}
}

func TestSequenceEndBoundsStream(t *testing.T) {
	cols := []types.Column{{Name: "k", Type: types.TInt4}, {Name: "s", Type: types.TVarchar}}
	s := mustSource(t, cols, map[string]string{
		"rows.per.second": "0", "datagen.split.num": "2",
		"fields.k.kind": "sequence", "fields.k.start": "1", "fields.k.end": "7",
		"fields.s.kind": "sequence", "fields.s.start": "100",
	})
	splits, _ := s.Splits(context.Background(), 16)
	if len(splits) != 2 {
		t.Fatalf("split.num ignored: %v", splits)
	}
	var ks []int64
	for _, sp := range splits {
		rows, eof := readN(t, open(t, s, sp, nil), 100, 100)
		if !eof {
			t.Fatal("no EOF")
		}
		for _, row := range rows {
			ks = append(ks, row[0].Int())
			if want := itoa(row[0].Int() + 99); row[1].Str() != want {
				t.Fatalf("s = %q, want %q", row[1].Str(), want)
			}
		}
	}
	if len(ks) != 7 {
		t.Fatalf("got %v", ks)
	}
}

func itoa(v int64) string { return strconv.FormatInt(v, 10) }

func TestGenericTypes(t *testing.T) {
	cols := []types.Column{
		{Name: "i", Type: types.TInt2},
		{Name: "f", Type: types.TFloat8},
		{Name: "n", Type: types.T{Fam: types.Numeric, Mod: types.NumericMod(10, 3)}},
		{Name: "s", Type: types.T{Fam: types.Varchar, Mod: 4}},
		{Name: "b", Type: types.TBool},
		{Name: "ts", Type: types.TTimestamptz},
		{Name: "d", Type: types.TDate},
		{Name: "iv", Type: types.TInterval},
		{Name: "Big", Type: types.TInt8},
	}
	s := mustSource(t, cols, map[string]string{
		"rows.per.second":      "500",
		"datagen.start.millis": "86400000",
		"fields.i.min":         "-5", "fields.i.max": "5",
		"fields.f.min": "1.5", "fields.f.max": "2.5",
		"fields.s.length": "8",
		"FIELDS.big.KIND": "random", "fields.big.min": "-9223372036854775808",
		"fields.big.max": "9223372036854775807",
	})
	r := open(t, s, "0/1", nil)
	rows, _ := readN(t, r, 500, 1000)
	var trues int
	for g, row := range rows {
		if v := row[0].Int(); v < -5 || v > 5 {
			t.Fatalf("i = %d", v)
		}
		if f := row[1].Float(); f < 1.5 || f >= 2.5 {
			t.Fatalf("f = %v", f)
		}
		if e := row[2].Decimal().Exponent; e != -3 {
			t.Fatalf("numeric exponent %d", e)
		}
		if len(row[3].Str()) != 4 {
			t.Fatalf("varchar(4) value %q", row[3].Str())
		}
		if row[4].Bool() {
			trues++
		}
		ts := row[5].Micros()
		if want := int64(86400000000 + g*2000); ts != want {
			t.Fatalf("ts of row %d = %d, want %d (1/rate apart)", g, ts, want)
		}
		if row[6].K != types.KDate || row[6].I != 1 {
			t.Fatalf("date = %#v", row[6])
		}
		if !row[7].IsNull() {
			t.Fatal("interval column should be NULL")
		}
	}
	if trues < 150 || trues > 350 {
		t.Fatalf("%d of 500 booleans true", trues)
	}
}

func TestTweets(t *testing.T) {
	// The event clock advances 1 ms per row at 1000 rows/s; the test
	// drops the wall-clock pacing (s.rate) but keeps that clock.
	s := mustSource(t, tweetCols, tweetOpts("rows.per.second", "1000"))
	s.rate = 0
	const n = 20000
	// Read the global order back from 2 splits, interleaved.
	r0, r1 := open(t, s, "0/2", nil), open(t, s, "1/2", nil)
	a, _ := readN(t, r0, n/2, 1024)
	b, _ := readN(t, r1, n/2, 1024)
	tagCount := map[string]int{}
	var withTags, mixedCase int
	var maxTS int64
	base := int64(1700000000000) * 1000
	for g := 0; g < n; g++ {
		row := a[g/2]
		if g%2 == 1 {
			row = b[g/2]
		}
		if row[0].Int() != int64(g) {
			t.Fatalf("id %d at row %d", row[0].Int(), g)
		}
		clock := base + int64(g)*1000
		ts := row[1].Micros()
		if ts > clock || clock-ts >= 2_000_000 {
			t.Fatalf("row %d: ts %d, clock %d", g, ts, clock)
		}
		if maxTS-ts >= 2_000_000 {
			t.Fatalf("disorder %d us", maxTS-ts)
		}
		maxTS = max(maxTS, ts)
		if !strings.HasPrefix(row[2].Str(), "user_") {
			t.Fatalf("author %q", row[2].Str())
		}
		if !row[4].IsNull() {
			t.Fatal("unknown column not NULL")
		}
		text := row[3].Str()
		has := false
		for _, w := range strings.Fields(text) {
			if w[0] != '#' {
				continue
			}
			has = true
			if w != strings.ToLower(w) {
				mixedCase++
			}
			tagCount[strings.ToLower(w[1:])]++
		}
		if has {
			withTags++
		}
	}
	if withTags < n*6/10 || withTags > n*9/10 {
		t.Fatalf("%d of %d tweets have hashtags", withTags, n)
	}
	if mixedCase < n/20 {
		t.Fatalf("only %d upper-case tags", mixedCase)
	}
	if len(tagCount) != len(hashtags) || len(hashtags) < 45 {
		t.Fatalf("%d distinct tags of %d", len(tagCount), len(hashtags))
	}
	// Zipf: the head dominates the tail.
	if tagCount["flink"] < 5*tagCount[hashtags[len(hashtags)-1]] || tagCount["flink"] < tagCount["kafka"] {
		t.Fatalf("tag counts not skewed: %v", tagCount)
	}
}

func TestRateLimit(t *testing.T) {
	s := mustSource(t, tweetCols, tweetOpts("rows.per.second", "200"))
	r := open(t, s, "0/2", nil) // 100 rows/s for this split
	start := time.Now()
	got := 0
	for time.Since(start) < 300*time.Millisecond {
		n, err := r.Read(context.Background(), 1000, func(types.Row) {})
		if err != nil {
			t.Fatal(err)
		}
		got += n
	}
	if got < 10 || got > 60 {
		t.Fatalf("%d rows in 300ms at 100 rows/s", got)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := r.Read(ctx, 10, func(types.Row) {}); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled Read: %v", err)
	}
}

func TestOptionErrors(t *testing.T) {
	cols := []types.Column{{Name: "k", Type: types.TInt8}, {Name: "ts", Type: types.TTimestamp}}
	for _, opts := range []map[string]string{
		{"fields.nope.kind": "random"},
		{"fields.k.colour": "red"},
		{"fields.k.kind": "zigzag"},
		{"fields.k.min": "10", "fields.k.max": "1"},
		{"fields.ts.kind": "sequence"},
		{"rows.per.second": "fast"},
		{"datagen.mode": "tiktoks"},
		{"datagen.sede": "3"},
	} {
		_, err := newSource(cols, opts, time.Now())
		if err == nil || pgerror.Code(err) != pgerror.InvalidParameterValue {
			t.Errorf("%v: err %v", opts, err)
		}
	}
	s := mustSource(t, cols, nil)
	for _, sp := range []string{"0", "3/3", "-1/2", "a/b"} {
		if _, err := s.Open(context.Background(), sp, nil); err == nil {
			t.Errorf("split %q accepted", sp)
		}
	}
}

func TestRegistered(t *testing.T) {
	src, err := connector.New(context.Background(), Name, &catalog.Relation{
		Name: "tweets", Columns: tweetCols, Options: tweetOpts("datagen.rows.total", "3"),
	}, connector.Env{})
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	splits, _ := src.Splits(context.Background(), 1)
	rows, eof := readN(t, open(t, src.(*Source), splits[0], nil), 10, 10)
	if len(rows) != 3 || !eof {
		t.Fatalf("%d rows, eof %v", len(rows), eof)
	}
}

func benchmarkSource(b *testing.B, cols []types.Column, opts map[string]string) {
	s := mustSource(b, cols, opts)
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

func BenchmarkTweets(b *testing.B) {
	benchmarkSource(b, tweetCols[:4], tweetOpts())
}

func BenchmarkGeneric(b *testing.B) {
	benchmarkSource(b, []types.Column{
		{Name: "id", Type: types.TInt8},
		{Name: "v", Type: types.TInt4},
		{Name: "f", Type: types.TFloat8},
		{Name: "s", Type: types.TVarchar},
		{Name: "ts", Type: types.TTimestamp},
	}, map[string]string{"rows.per.second": "0", "fields.id.kind": "sequence"})
}

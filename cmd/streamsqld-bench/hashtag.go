package main

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"streamsqld/catalog"
	"streamsqld/exec/connector"
	"streamsqld/exec/connector/kafka"
	"streamsqld/sql/types"
)

// The hashtag pipeline of the README, over JSON tweets held in memory.
const (
	tweetColumns = "id BIGINT, ts TIMESTAMP, author VARCHAR, text VARCHAR"
	hashtagView  = "CREATE MATERIALIZED VIEW hashtag_counts AS " +
		"SELECT window_start, window_end, tag, COUNT(*) AS cnt " +
		"FROM (SELECT window_start, window_end, " +
		"unnest(regexp_matches(lower(text), '#[a-z0-9_]+', 'g')) AS tag " +
		"FROM TUMBLE(tweets, ts, INTERVAL '1' MINUTE)) t " +
		"GROUP BY window_start, window_end, tag"
	hashtagPattern = `#[a-z0-9_]+`
)

var tweetCols = []types.Column{
	{Name: "id", Type: types.TInt8}, {Name: "ts", Type: types.TTimestamp},
	{Name: "author", Type: types.TVarchar}, {Name: "text", Type: types.TVarchar},
}

// tweetJSON is a tweet as a producer would write it to Kafka.
type tweetJSON struct {
	ID     int64     `json:"id"`
	TS     time.Time `json:"ts"`
	Author string    `json:"author"`
	Text   string    `json:"text"`
}

// generateTweets renders n tweets of the datagen connector's tweet stream
// (one per event-time millisecond, so a 1-minute window holds about 60,000)
// as JSON records.
func generateTweets(ctx context.Context, n int64) ([][]byte, int64, error) {
	rel := &catalog.Relation{
		Kind: catalog.Source, Name: "tweets", Connector: "datagen", Columns: tweetCols,
		Options: map[string]string{
			"connector": "datagen", "datagen.mode": "tweets", "rows.per.second": "0",
			"datagen.rows.total": strconv.FormatInt(n, 10), "datagen.split.num": "1",
			"datagen.start.millis": strconv.FormatInt(nexmarkBaseMillis, 10), "datagen.seed": "1",
		},
		CreatedAt: time.UnixMilli(nexmarkBaseMillis),
	}
	src, err := connector.New(ctx, "datagen", rel, connector.Env{})
	if err != nil {
		return nil, 0, err
	}
	defer src.Close()
	splits, err := src.Splits(ctx, 1)
	if err != nil {
		return nil, 0, err
	}
	out := make([][]byte, 0, n)
	var bytes int64
	var encErr error
	for _, sp := range splits {
		r, err := src.Open(ctx, sp, nil)
		if err != nil {
			return nil, 0, err
		}
		for {
			_, err := r.Read(ctx, 4096, func(row types.Row) {
				b, err := json.Marshal(tweetJSON{
					ID: row[0].I, TS: time.UnixMicro(row[1].I).UTC(), Author: row[2].S, Text: row[3].S,
				})
				if err != nil && encErr == nil {
					encErr = err
				}
				bytes += int64(len(b))
				out = append(out, b)
			})
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				return nil, 0, err
			}
		}
		_ = r.Close()
	}
	if encErr != nil {
		return nil, 0, encErr
	}
	if int64(len(out)) != n {
		return nil, 0, fmt.Errorf("datagen produced %d tweets, want %d", len(out), n)
	}
	return out, bytes, nil
}

// tagWindow is a key of the hashtag counts: a tag in a 1-minute window.
type tagWindow struct {
	window int64 // window start, epoch micros
	tag    string
}

const minuteMicros = int64(time.Minute / time.Microsecond)

// windowStart floors epoch micros to the minute (also before 1970).
func windowStart(us int64) int64 {
	w := us / minuteMicros * minuteMicros
	if w > us {
		w -= minuteMicros
	}
	return w
}

// hashtagCounts summarises a result for comparing engine and baselines.
type hashtagCounts struct {
	Groups int64 // (window, tag) pairs
	Total  int64 // hashtag occurrences
}

func summarize(m map[tagWindow]int64) hashtagCounts {
	var c hashtagCounts
	for _, n := range m {
		c.Groups++
		c.Total += n
	}
	return c
}

// baselineStd is the program a Go developer would write for the job
// without an engine: encoding/json into a struct, the same regular
// expression over strings.ToLower, a map per (window, tag).
func baselineStd(recs [][]byte) (map[tagWindow]int64, error) {
	re := regexp.MustCompile(hashtagPattern)
	counts := map[tagWindow]int64{}
	var t tweetJSON
	for _, b := range recs {
		t = tweetJSON{}
		if err := json.Unmarshal(b, &t); err != nil {
			return nil, err
		}
		w := windowStart(t.TS.UnixMicro())
		for _, tag := range re.FindAllString(strings.ToLower(t.Text), -1) {
			counts[tagWindow{w, tag}]++
		}
	}
	return counts, nil
}

// baselineDecoder is baselineStd with the engine's own JSON decoder (the
// Kafka connector's), so that the ratio to it isolates what the engine
// adds around decoding: chunks, exchanges, the window, unnest and the
// aggregation's state.
func baselineDecoder(recs [][]byte) (map[tagWindow]int64, error) {
	re := regexp.MustCompile(hashtagPattern)
	dec := kafka.NewDecoder(tweetCols)
	row := make(types.Row, len(tweetCols))
	counts := map[tagWindow]int64{}
	for _, b := range recs {
		if err := dec.Decode(b, row); err != nil {
			return nil, err
		}
		w := windowStart(row[1].I)
		for _, tag := range re.FindAllString(strings.ToLower(row[3].S), -1) {
			counts[tagWindow{w, tag}]++
		}
	}
	return counts, nil
}

// runBaseline measures one baseline over the records.
func runBaseline(prof *profiler, name, desc string, recs [][]byte,
	fn func([][]byte) (map[tagWindow]int64, error)) (throughputResult, hashtagCounts) {
	res := throughputResult{Name: name, Desc: desc, Parallelism: 1, Events: int64(len(recs))}
	var counts map[tagWindow]int64
	var err error
	res.Usage, err = measure(context.Background(), prof, name, func(context.Context) error {
		counts, err = fn(recs)
		return err
	})
	res.Err = err
	sum := summarize(counts)
	res.Rows = sum.Groups
	return res, sum
}

// runHashtagEngine measures the hashtag view over the in-memory JSON
// tweets, decoded by the benchjson connector. It returns the engine's data
// dir, still on disk, when keep is set (the caller inspects it and removes
// it).
func runHashtagEngine(ctx context.Context, cfg config, prof *profiler, name string, p int,
	checkpoint time.Duration, keep bool) (throughputResult, hashtagCounts, string) {
	res := throughputResult{Name: name, Desc: "hashtag pipeline", Parallelism: p, Events: int64(len(tweetData.get()))}
	var sum hashtagCounts
	ctx, cancel := context.WithTimeout(ctx, cfg.runTimeout)
	defer cancel()
	be, err := openEngine(ctx, "", p, checkpoint)
	if err != nil {
		res.Err = err
		return res, sum, ""
	}
	dir := be.dir
	if keep {
		defer be.close()
	} else {
		defer be.destroy()
	}
	if _, err := be.exec(ctx, fmt.Sprintf("CREATE SOURCE tweets (%s, "+
		"WATERMARK FOR ts AS ts - INTERVAL '5' SECOND) WITH (connector = '%s', %s = '%d') FORMAT JSON",
		tweetColumns, benchJSONName, benchJSONSplits, p)); err != nil {
		res.Err = err
		return res, sum, dir
	}
	res.Usage, err = measure(ctx, prof, fmt.Sprintf("%s-p%d", name, p), func(ctx context.Context) error {
		_, err := be.exec(ctx, hashtagView)
		return err
	})
	if err == nil {
		err = be.jobError(ctx, "hashtag_counts")
	}
	if err == nil && checkpoint > 0 {
		res.Checkpoints = readCheckpointStats(ctx, be)
	}
	if err == nil {
		var v []int64
		v, err = be.int64s(ctx, "SELECT count(*), CAST(sum(cnt) AS BIGINT) FROM hashtag_counts")
		if err == nil {
			sum = hashtagCounts{Groups: v[0], Total: v[1]}
			res.Rows = sum.Groups
		}
	}
	res.Err = err
	return res, sum, dir
}

// The benchjson connector reads the JSON tweets of tweetData, decoding
// each with the Kafka connector's decoder as a Kafka source would: the
// engine's side of the comparison does the same work as the baselines,
// minus the broker.
const (
	benchJSONName   = "benchjson"
	benchJSONSplits = "benchjson.split.num"
)

// tweetData holds the records the benchjson connector serves.
var tweetData dataset

type dataset struct {
	mu   sync.Mutex
	recs [][]byte
}

func (d *dataset) set(recs [][]byte) {
	d.mu.Lock()
	d.recs = recs
	d.mu.Unlock()
}

func (d *dataset) get() [][]byte {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.recs
}

func init() { connector.Register(benchJSONName, newBenchJSON) }

type benchJSONSource struct {
	cols   []types.Column
	recs   [][]byte
	splits int
}

func newBenchJSON(_ context.Context, rel *catalog.Relation, _ connector.Env) (connector.Source, error) {
	s := &benchJSONSource{cols: rel.Columns, recs: tweetData.get()}
	if v, ok := rel.Options[benchJSONSplits]; ok {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return nil, fmt.Errorf("%s: want a positive integer, got %q", benchJSONSplits, v)
		}
		s.splits = n
	}
	return s, nil
}

// Splits are "k/n": split k reads records k, k+n, k+2n ...
func (s *benchJSONSource) Splits(_ context.Context, parallelism int) ([]string, error) {
	n := s.splits
	if n <= 0 {
		n = max(parallelism, 1)
	}
	out := make([]string, n)
	for k := range out {
		out[k] = fmt.Sprintf("%d/%d", k, n)
	}
	return out, nil
}

func (s *benchJSONSource) Open(_ context.Context, split string, pos []byte) (connector.Reader, error) {
	var k, n int
	if _, err := fmt.Sscanf(split, "%d/%d", &k, &n); err != nil || n < 1 || k < 0 || k >= n {
		return nil, fmt.Errorf("invalid benchjson split %q", split)
	}
	r := &benchJSONReader{
		recs: s.recs, next: k, step: n,
		dec: kafka.NewDecoder(s.cols), row: make(types.Row, len(s.cols)),
	}
	if len(pos) == 8 {
		r.next = int(binary.BigEndian.Uint64(pos))
	}
	return r, nil
}

func (s *benchJSONSource) Close() error { return nil }

type benchJSONReader struct {
	recs       [][]byte
	next, step int
	dec        *kafka.Decoder
	row        types.Row
}

func (r *benchJSONReader) Read(ctx context.Context, max int, emit func(types.Row)) (int, error) {
	if r.next >= len(r.recs) {
		return 0, io.EOF
	}
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	n := 0
	for n < max && r.next < len(r.recs) {
		if err := r.dec.Decode(r.recs[r.next], r.row); err != nil {
			return n, fmt.Errorf("record %d: %w", r.next, err)
		}
		r.next += r.step
		emit(r.row)
		n++
	}
	return n, nil
}

func (r *benchJSONReader) Position() []byte {
	return binary.BigEndian.AppendUint64(nil, uint64(r.next))
}

func (r *benchJSONReader) Close() error { return nil }

// Package datagen is the synthetic-data connector (connector = 'datagen'),
// modelled on Flink's and RisingWave's datagen: per-column sequence or
// random generators, or a built-in "tweets" stream for demos of event-time
// windows and hashtag counting.
//
// # Determinism
//
// Row g of the stream (the global row index) is a pure function of
// (datagen.seed, g): its random values come from a generator seeded by
// both. Split k of n owns rows k, k+n, k+2n, ..., so the split ID carries n
// ("k/n") and a reader resumes exactly from its split-local row index.
// Event time is derived from g and the configured rate, starting at a base
// time, never from the wall clock: replaying from a position yields the
// same rows. When datagen.start.millis is not given the base is the
// relation's creation time. The base also travels in every position, so a
// resumed split keeps the base it started with whatever the source says.
//
// # Options
//
//	rows.per.second       total rate over all splits (default 1000; 0 = as fast as possible)
//	datagen.seed          default 1
//	datagen.split.num     default: the parallelism hint
//	datagen.rows.total    bound; the stream ends (EOF) after this many rows in all
//	datagen.start.millis  event-time base, epoch milliseconds (default: the
//	                      relation's creation time)
//	datagen.mode          'tweets' for the tweet stream (below)
//	fields.<col>.kind     'sequence' | 'random'
//	fields.<col>.start    first value of a sequence (default 0); value = start + g
//	fields.<col>.end      last value of a sequence: the stream ends after it
//	fields.<col>.min/max  bounds of random numbers (default 0 and 1000)
//	fields.<col>.length   length of random strings (default 10)
//
// Without a kind, numeric and string columns are random, booleans are fair
// coins, and timestamp and date columns carry the event time, which
// advances by 1/rows.per.second per row (1 ms when unthrottled). Columns of
// other types are NULL.
//
// # Tweets
//
// With datagen.mode = 'tweets' columns are matched by name: id (BIGINT,
// g, unique across splits), ts (event time, up to 2 s behind the monotonic
// event clock so watermarks matter), author ("user_<n>", skewed towards
// few active users) and text (a sentence of random words with zero to three
// hashtags from a Zipf-skewed vocabulary of 50 tags, some written #Flink or
// #FLINK so that lower() matters). Other columns are NULL unless they have
// fields.<col>.* options, which give them a generic generator.
package datagen

import (
	"context"
	"io"
	"sort"
	"strings"
	"time"

	"streamsqld/catalog"
	"streamsqld/exec/connector"
	"streamsqld/exec/connector/internal/genutil"
	"streamsqld/sql/pgerror"
	"streamsqld/sql/types"
)

// Name is the connector name.
const Name = "datagen"

// idleWait bounds a Read that waits for its rate budget.
const idleWait = 100 * time.Millisecond

// ctxCheckEvery is how many rows a Read generates between context checks:
// a large max must not make Read deaf to cancellation, and a check per row
// would cost more than generating it.
const ctxCheckEvery = 4096

func init() { connector.Register(Name, New) }

// Option keys.
const (
	optRate       = "rows.per.second"
	optSeed       = "datagen.seed"
	optSplits     = "datagen.split.num"
	optTotal      = "datagen.rows.total"
	optStart      = "datagen.start.millis"
	optMode       = "datagen.mode"
	fieldsPrefix  = "fields."
	defaultRate   = 1000
	unboundedRows = -1
)

// New is the connector.Factory of datagen.
func New(_ context.Context, rel *catalog.Relation, _ connector.Env) (connector.Source, error) {
	// The default event-time base is the relation's creation time: "now"
	// when it was created, and the same after every restart.
	created := rel.CreatedAt
	if created.IsZero() {
		created = time.Now()
	}
	return newSource(rel.Columns, rel.Options, created)
}

// Source generates one relation's rows.
type Source struct {
	seed       uint64
	rate       int64 // rows per second over all splits; 0 = unthrottled
	clockRate  int64 // event-time rows per second, > 0
	splitNum   int   // 0: the parallelism hint
	total      int64 // rows in all, or unboundedRows
	baseMillis int64
	cols       []colGen
}

var _ connector.Source = (*Source)(nil)

func newSource(cols []types.Column, options map[string]string, now time.Time) (*Source, error) {
	o := genutil.NewOptions(options)
	if err := checkKeys(o); err != nil {
		return nil, err
	}
	s := &Source{total: unboundedRows}
	var err error
	if s.rate, err = o.IntRange(optRate, defaultRate, 0, 1e12); err != nil {
		return nil, err
	}
	// Event time advances even when unthrottled.
	s.clockRate = s.rate
	if s.clockRate == 0 {
		s.clockRate = defaultRate
	}
	seed, err := o.Int(optSeed, 1)
	if err != nil {
		return nil, err
	}
	s.seed = uint64(seed)
	splits, err := o.IntRange(optSplits, 0, 0, 1<<16)
	if err != nil {
		return nil, err
	}
	s.splitNum = int(splits)
	if _, ok := o.Get(optTotal); ok {
		if s.total, err = o.IntRange(optTotal, 0, 0, 1<<62); err != nil {
			return nil, err
		}
	}
	if v, ok := o.Get(optStart); ok && !strings.EqualFold(v, "now") {
		if s.baseMillis, err = o.Int(optStart, 0); err != nil {
			return nil, err
		}
	} else {
		s.baseMillis = now.UnixMilli()
	}
	tweets := false
	switch m := strings.ToLower(o.String(optMode, "")); m {
	case "", "default", "fields":
	case "tweets":
		tweets = true
	default:
		return nil, pgerror.Newf(pgerror.InvalidParameterValue,
			"unknown %s %q (supported: 'tweets')", optMode, m)
	}
	if s.cols, err = planColumns(cols, o, tweets); err != nil {
		return nil, err
	}
	// A sequence that ends bounds the stream: the row after its end value
	// has nothing to say in that column.
	for _, c := range s.cols {
		if c.kind == genSeq && c.hasEnd {
			n := c.end - c.start + 1
			if n < 0 {
				n = 0
			}
			if s.total == unboundedRows || n < s.total {
				s.total = n
			}
		}
	}
	return s, nil
}

// checkKeys rejects unknown datagen.* options, which are almost always
// typos that would otherwise silently fall back to a default.
func checkKeys(o genutil.Options) error {
	var bad []string
	o.Keys(func(k string) {
		if strings.HasPrefix(k, "datagen.") {
			switch k {
			case optSeed, optSplits, optTotal, optStart, optMode:
			default:
				bad = append(bad, k)
			}
		}
	})
	if len(bad) == 0 {
		return nil
	}
	sort.Strings(bad)
	return pgerror.Newf(pgerror.InvalidParameterValue, "unknown datagen option %q", bad[0])
}

// Splits returns "k/n" for k < n, n being datagen.split.num or the
// parallelism hint. The count is part of the ID because it decides which
// rows a split owns.
func (s *Source) Splits(_ context.Context, parallelism int) ([]string, error) {
	return genutil.SplitIDs(s.splitNum, parallelism), nil
}

// Open returns a reader of split at pos (nil: its first row).
func (s *Source) Open(_ context.Context, split string, pos []byte) (connector.Reader, error) {
	k, n, err := genutil.ParseSplit("datagen", split)
	if err != nil {
		return nil, err
	}
	next, base, hasBase, err := genutil.DecodePos(pos)
	if err != nil {
		return nil, err
	}
	if !hasBase {
		base = s.baseMillis
	}
	r := &Reader{
		split:  uint64(k),
		nsplit: uint64(n),
		next:   next,
		limit:  ^uint64(0),
		g: generator{
			seed:   s.seed,
			cols:   s.cols,
			baseUs: base * 1000,
			rate:   uint64(s.clockRate),
		},
		baseMillis: base,
		row:        make(types.Row, len(s.cols)),
		pacer:      genutil.NewPacer(float64(s.rate) / float64(n)),
	}
	if s.total != unboundedRows {
		r.limit = genutil.SplitRows(uint64(s.total), r.split, r.nsplit)
	}
	return r, nil
}

// Close releases nothing.
func (s *Source) Close() error { return nil }

// Reader generates one split.
type Reader struct {
	split, nsplit uint64
	next          uint64 // split-local index of the next row
	limit         uint64 // split-local row count; ^0 when unbounded
	baseMillis    int64
	g             generator
	row           types.Row
	pacer         *genutil.Pacer
}

var _ connector.Reader = (*Reader)(nil)

// Read generates up to max rows, as many as the rate allows now.
func (r *Reader) Read(ctx context.Context, max int, emit func(types.Row)) (int, error) {
	if r.next >= r.limit {
		return 0, io.EOF
	}
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	if max <= 0 {
		return 0, nil
	}
	if left := r.limit - r.next; left < uint64(max) {
		max = int(left)
	}
	n := r.pacer.Wait(ctx, max, idleWait)
	if n == 0 {
		return 0, ctx.Err()
	}
	done := 0
	for done < n {
		if done%ctxCheckEvery == ctxCheckEvery-1 && ctx.Err() != nil {
			break
		}
		r.g.fill(r.split+r.next*r.nsplit, r.row)
		emit(r.row)
		r.next++
		done++
	}
	r.pacer.Took(done)
	return done, nil
}

// Position is the split-local index of the next row and the event-time
// base.
func (r *Reader) Position() []byte { return genutil.EncodePos(r.next, r.baseMillis) }

// Close releases nothing.
func (r *Reader) Close() error { return nil }

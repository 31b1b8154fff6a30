package datagen

import (
	"math"
	"strconv"
	"sync"

	"streamsqld/exec/connector/internal/genutil"
	"streamsqld/sql/types"
)

// generator makes row g of the stream. It owns scratch buffers, so each
// reader has its own.
type generator struct {
	seed   uint64
	cols   []colGen
	baseUs int64
	rate   uint64 // event-time rows per second, > 0
	rng    genutil.Rand
	buf    []byte
}

// eventTime is the event clock at row g: base + g/rate seconds, computed
// without overflowing for any realistic g.
func (gen *generator) eventTime(g uint64) int64 {
	return gen.baseUs + int64(g/gen.rate)*1e6 + int64((g%gen.rate)*1e6/gen.rate)
}

// fill writes row g into row. The values of a row depend only on (seed,
// g): every column draws from one generator seeded by both, in column
// order.
func (gen *generator) fill(g uint64, row types.Row) {
	gen.rng.Seed(gen.seed, g)
	r := &gen.rng
	for i := range gen.cols {
		c := &gen.cols[i]
		switch c.kind {
		case genNull:
			row[i] = types.Null
		case genSeq:
			v := c.start + int64(g)
			if c.typ.IsString() || c.typ.Fam == types.Bytea {
				gen.buf = strconv.AppendInt(gen.buf[:0], v, 10)
				row[i] = genutil.FromString(string(gen.buf), c.typ)
			} else {
				row[i] = genutil.FromInt(v, c.typ)
			}
		case genRandInt:
			row[i] = genutil.FromInt(r.Range(c.minI, c.maxI), c.typ)
		case genRandFloat:
			row[i] = genutil.FromFloat(c.minF+r.Float64()*(c.maxF-c.minF), c.typ)
		case genRandStr:
			row[i] = genutil.FromString(letters().Get(r, c.length), c.typ)
		case genBool:
			row[i] = types.NewBool(r.Bool())
		case genEventTime:
			row[i] = genutil.FromTime(gen.eventTime(g), c.typ)
		case genTweetID:
			row[i] = genutil.FromInt(int64(g), c.typ)
		case genTweetTS:
			row[i] = genutil.FromTime(gen.eventTime(g)-tweetJitter(r), c.typ)
		case genTweetAuthor:
			row[i] = genutil.FromString(tweetAuthor(r), c.typ)
		case genTweetText:
			gen.buf = appendTweet(gen.buf[:0], r)
			row[i] = genutil.FromString(string(gen.buf), c.typ)
		}
	}
}

var (
	lettersOnce sync.Once
	letterPool  *genutil.TextPool
)

// letters is the shared pool random strings are cut from, built on first
// use (about 1 MiB).
func letters() *genutil.TextPool {
	lettersOnce.Do(func() {
		letterPool = genutil.NewLetterPool(0x5eed, 1<<20, maxLength, 0, 0)
	})
	return letterPool
}

// maxJitterUs bounds how far a tweet's ts lags the event clock: the
// stream's disorder, which a watermark of ts - 2 s covers.
const maxJitterUs = 2_000_000

// tweetJitter is cubic in a uniform draw, so most tweets are nearly in
// order and a few lag by up to two seconds.
func tweetJitter(r *genutil.Rand) int64 {
	u := r.Float64()
	return int64(u * u * u * maxJitterUs)
}

// Authors: a quarter of the tweets come from 20 very active users.
const (
	numAuthors = 1000
	hotAuthors = 20
)

var authors = func() []string {
	out := make([]string, numAuthors)
	for i := range out {
		out[i] = "user_" + strconv.Itoa(i)
	}
	return out
}()

func tweetAuthor(r *genutil.Rand) string {
	if r.Intn(4) == 0 {
		return authors[r.Intn(hotAuthors)]
	}
	return authors[r.Intn(numAuthors)]
}

// hashtags is the tag vocabulary, most popular first: draws follow a Zipf
// law over this order.
var hashtags = [...]string{
	"flink", "kafka", "streaming", "golang", "sql", "rust", "postgres", "data",
	"bigdata", "realtime", "analytics", "cloud", "kubernetes", "docker", "devops",
	"ai", "ml", "python", "java", "scala", "spark", "database", "opensource",
	"programming", "coding", "backend", "distributed", "microservices",
	"serverless", "aws", "gcp", "azure", "linux", "security", "iot",
	"dataengineering", "risingwave", "materialize", "duckdb", "clickhouse",
	"redis", "grpc", "api", "webdev", "javascript", "typescript", "startup",
	"tech", "meetup", "apache",
}

// tagForms holds each tag as #tag, #Tag and #TAG.
var tagForms = func() [len(hashtags)][3]string {
	var out [len(hashtags)][3]string
	for i, t := range hashtags {
		out[i][0] = "#" + t
		out[i][1] = "#" + string(t[0]-'a'+'A') + t[1:]
		up := []byte(t)
		for j, c := range up {
			if c >= 'a' && c <= 'z' {
				up[j] = c - 'a' + 'A'
			}
		}
		out[i][2] = "#" + string(up)
	}
	return out
}()

// zipfBits is the resolution of the inverse-CDF table: a draw is one shift
// and one load instead of a search.
const zipfBits = 12

// zipfTable maps the top zipfBits bits of a uniform draw to a tag index
// with P(i) proportional to 1/(i+1)^1.1.
var zipfTable = func() [1 << zipfBits]uint8 {
	var w [len(hashtags)]float64
	sum := 0.0
	for i := range w {
		w[i] = 1 / math.Pow(float64(i+1), 1.1)
		sum += w[i]
	}
	var out [1 << zipfBits]uint8
	cum, j := 0.0, 0
	for u := range out {
		p := (float64(u) + 0.5) / float64(len(out))
		for j < len(w)-1 && cum+w[j]/sum < p {
			cum += w[j] / sum
			j++
		}
		out[u] = uint8(j)
	}
	return out
}()

func tweetTag(r *genutil.Rand) string {
	x := r.Uint64()
	forms := &tagForms[zipfTable[x>>(64-zipfBits)]]
	// Reuse the low bits of the same draw for the spelling: 75% #tag,
	// 20% #Tag, 5% #TAG.
	switch c := (x & 0xffff) * 100 >> 16; {
	case c < 75:
		return forms[0]
	case c < 95:
		return forms[1]
	default:
		return forms[2]
	}
}

var words = [...]string{
	"the", "a", "is", "this", "that", "we", "our", "new", "just", "really",
	"love", "using", "with", "for", "and", "to", "of", "in", "on", "at",
	"today", "tomorrow", "release", "query", "stream", "pipeline", "window",
	"latency", "throughput", "events", "join", "state", "checkpoint", "team",
	"talk", "slides", "blog", "post", "demo", "benchmark", "fast", "slow",
	"great", "amazing", "finally", "shipped", "debugging", "production",
	"cluster", "node", "table", "view", "index", "schema", "migration",
	"learned", "about", "how", "why", "what", "when", "can", "should", "you",
	"try", "out", "my", "first", "year", "week", "morning", "coffee", "code",
	"review", "bug", "fix", "feature", "open", "source", "community",
}

// Hashtag counts per tweet: 0 (25%), 1 (35%), 2 (25%), 3 (15%).
var tagCounts = [20]uint8{0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 3, 3, 3}

// appendTweet appends a sentence of 4 to 15 words with 0 to 3 hashtags at
// random places.
func appendTweet(b []byte, r *genutil.Rand) []byte {
	nw := 4 + r.Intn(12)
	nt := int(tagCounts[r.Intn(len(tagCounts))])
	var slots [3]int
	for t := 0; t < nt; t++ {
		slots[t] = r.Intn(nw + 1)
	}
	for j := 0; j <= nw; j++ {
		for t := 0; t < nt; t++ {
			if slots[t] == j {
				if len(b) > 0 {
					b = append(b, ' ')
				}
				b = append(b, tweetTag(r)...)
			}
		}
		if j == nw {
			break
		}
		if len(b) > 0 {
			b = append(b, ' ')
		}
		b = append(b, words[r.Intn(len(words))]...)
	}
	return b
}

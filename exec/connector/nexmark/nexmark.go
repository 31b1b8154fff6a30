// Package nexmark is the Nexmark benchmark's event generator as a
// connector (connector = 'nexmark'), following the reference generator of
// Beam/Flink (and RisingWave's port): persons, auctions and bids in the
// proportions 1:3:46, ids derived from the event id (newest persons and
// auctions, hot sellers, hot auctions and hot bidders), log-uniform prices,
// and record sizes padded with an extra field.
//
// # Determinism and splits
//
// Event number n has event id first.event.id + n (permuted within groups
// when out.of.order.group.size > 1); its kind comes from the id and its
// values from a random generator seeded by (seed, id). Split k of n
// ("k/n") generates event numbers k, k+n, k+2n, ..., and its position is
// the split-local index of the next event, so a reader resumes exactly.
// Event time is base + n * gap (the inter-event delay), never the wall
// clock. The base defaults to the relation's creation time and travels in
// positions, as in datagen.
//
// # Tables
//
// nexmark.table.type selects 'Person', 'Auction' or 'Bid' (the events of
// the other kinds are skipped, so nexmark.event.num counts all events), or
// 'Event' (the default) for the combined stream. Columns are matched by
// name, case-insensitively and ignoring underscores (dateTime, date_time):
//
//	Person:  id, name, email_address, credit_card, city, state, date_time, extra
//	Auction: id, item_name, description, initial_bid, reserve, date_time,
//	         expires, seller, category, extra
//	Bid:     auction, bidder, price, channel, url, date_time, extra
//
// The combined stream is flat: event_type (0 person, 1 auction, 2 bid),
// date_time (the event time), then each record's columns prefixed with
// person_, auction_ or bid_ (person_id, auction_item_name, bid_price ...),
// NULL unless the event is of that kind. Unknown columns are NULL. Times
// are TIMESTAMP (or epoch milliseconds in an integer column).
//
// # Options
//
//	nexmark.table.type              Person | Auction | Bid | Event (default)
//	nexmark.split.num               default: the parallelism hint
//	nexmark.event.num               events in all (default 0: unbounded)
//	nexmark.min.event.gap.in.ns     event-time delay between events (default 100000)
//	nexmark.event.rate              events per second; sets the gap to 1e9/rate
//	nexmark.base.time               event time of event 0, epoch ms (default: creation time)
//	nexmark.use.real.time           emit no faster than event time advances (default false)
//	nexmark.seed                    default 0
//	nexmark.first.event.id          default 0
//	nexmark.out.of.order.group.size default 1
//	nexmark.active.people           default 1000
//	nexmark.in.flight.auctions      default 100
//	nexmark.hot.seller.ratio        default 4
//	nexmark.hot.auction.ratio       default 2
//	nexmark.hot.bidder.ratio        default 4
//	nexmark.hot.channel.ratio       default 2
//	nexmark.num.categories          default 5
//	nexmark.avg.person.byte.size    default 200
//	nexmark.avg.auction.byte.size   default 500
//	nexmark.avg.bid.byte.size       default 100
package nexmark

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
const Name = "nexmark"

// idleWait bounds a Read that has nothing to emit yet.
const idleWait = 100 * time.Millisecond

// ctxCheckEvery is how many events a Read scans between context checks.
const ctxCheckEvery = 4096

func init() { connector.Register(Name, New) }

// TableType selects which events a source emits.
type TableType uint8

const (
	TableEvent TableType = iota // the combined stream
	TablePerson
	TableAuction
	TableBid
)

const optPrefix = "nexmark."

// New is the connector.Factory of nexmark.
func New(_ context.Context, rel *catalog.Relation, _ connector.Env) (connector.Source, error) {
	// The default event-time base is the relation's creation time: "now"
	// when it was created, and the same after every restart.
	created := rel.CreatedAt
	if created.IsZero() {
		created = time.Now()
	}
	return newSource(rel.Columns, rel.Options, created)
}

// Source generates one relation's events.
type Source struct {
	cfg        config
	table      TableType
	splitNum   int
	eventNum   uint64 // 0: unbounded
	baseMillis int64
	realTime   bool
	cols       []colPlan
}

var _ connector.Source = (*Source)(nil)

func newSource(cols []types.Column, options map[string]string, now time.Time) (*Source, error) {
	o := genutil.NewOptions(options)
	if err := checkKeys(o); err != nil {
		return nil, err
	}
	s := &Source{}
	switch t := strings.ToLower(o.String(optPrefix+"table.type", "")); t {
	case "", "event", "events":
		s.table = TableEvent
	case "person":
		s.table = TablePerson
	case "auction":
		s.table = TableAuction
	case "bid":
		s.table = TableBid
	default:
		return nil, pgerror.Newf(pgerror.InvalidParameterValue,
			"unknown nexmark.table.type %q (supported: Person, Auction, Bid, Event)", t)
	}
	var p parser
	p.o = o
	s.splitNum = int(p.intRange("split.num", 0, 0, 1<<16))
	s.eventNum = uint64(p.intRange("event.num", 0, 0, 1<<62))
	gap := p.intRange("min.event.gap.in.ns", 100_000, 1, 3600e9)
	if rate := p.intRange("event.rate", 0, 0, 1e9); rate > 0 {
		gap = max(1e9/rate, 1)
	}
	s.baseMillis = now.UnixMilli()
	if v, ok := o.Get(optPrefix + "base.time"); ok && !strings.EqualFold(v, "now") {
		s.baseMillis = p.intRange("base.time", 0, -1<<50, 1<<50)
	}
	var err error
	if s.realTime, err = o.Bool(optPrefix+"use.real.time", false); err != nil {
		return nil, err
	}
	s.cfg = config{
		seed:                uint64(p.int("seed", 0)),
		firstEventID:        uint64(p.intRange("first.event.id", 0, 0, 1<<62)),
		gapNs:               uint64(gap),
		outOfOrderGroupSize: uint64(p.intRange("out.of.order.group.size", 1, 1, 10_000)),
		activePeople:        p.intRange("active.people", 1000, 1, 1<<40),
		inFlightAuctions:    p.intRange("in.flight.auctions", 100, 1, 1<<40),
		hotSellerRatio:      int(p.intRange("hot.seller.ratio", 4, 1, 1<<30)),
		hotAuctionRatio:     int(p.intRange("hot.auction.ratio", 2, 1, 1<<30)),
		hotBidderRatio:      int(p.intRange("hot.bidder.ratio", 4, 1, 1<<30)),
		hotChannelRatio:     int(p.intRange("hot.channel.ratio", 2, 1, 1<<30)),
		numCategories:       int(p.intRange("num.categories", 5, 1, 1<<30)),
		avgPersonBytes:      int(p.intRange("avg.person.byte.size", 200, 0, maxPoolString)),
		avgAuctionBytes:     int(p.intRange("avg.auction.byte.size", 500, 0, maxPoolString)),
		avgBidBytes:         int(p.intRange("avg.bid.byte.size", 100, 0, maxPoolString)),
	}
	if p.err != nil {
		return nil, p.err
	}
	s.cols = planColumns(cols, s.table)
	return s, nil
}

var knownOptions = map[string]bool{
	"table.type": true, "split.num": true, "event.num": true,
	"min.event.gap.in.ns": true, "event.rate": true, "base.time": true,
	"use.real.time": true, "seed": true, "first.event.id": true,
	"out.of.order.group.size": true, "active.people": true,
	"in.flight.auctions": true, "hot.seller.ratio": true,
	"hot.auction.ratio": true, "hot.bidder.ratio": true,
	"hot.channel.ratio": true, "num.categories": true,
	"avg.person.byte.size": true, "avg.auction.byte.size": true,
	"avg.bid.byte.size": true,
	// Accepted for compatibility with RisingWave DDL; batching is the
	// runtime's business here.
	"max.chunk.size": true,
}

// checkKeys rejects unknown nexmark.* options, which are almost always
// typos that would otherwise silently fall back to a default.
func checkKeys(o genutil.Options) error {
	var bad []string
	o.Keys(func(k string) {
		if rest, ok := strings.CutPrefix(k, optPrefix); ok && !knownOptions[rest] {
			bad = append(bad, k)
		}
	})
	if len(bad) == 0 {
		return nil
	}
	sort.Strings(bad)
	return pgerror.Newf(pgerror.InvalidParameterValue, "unknown nexmark option %q", bad[0])
}

// parser keeps the first option error so the option list reads straight.
type parser struct {
	o   genutil.Options
	err error
}

func (p *parser) int(key string, def int64) int64 {
	if p.err != nil {
		return def
	}
	v, err := p.o.Int(optPrefix+key, def)
	p.err = err
	return v
}

func (p *parser) intRange(key string, def, lo, hi int64) int64 {
	if p.err != nil {
		return def
	}
	v, err := p.o.IntRange(optPrefix+key, def, lo, hi)
	p.err = err
	return v
}

// Splits returns "k/n" for k < n; n is nexmark.split.num or the
// parallelism hint, and is part of the ID because it decides which events
// a split owns.
func (s *Source) Splits(_ context.Context, parallelism int) ([]string, error) {
	return genutil.SplitIDs(s.splitNum, parallelism), nil
}

// Open returns a reader of split at pos (nil: its first event).
func (s *Source) Open(_ context.Context, split string, pos []byte) (connector.Reader, error) {
	k, n, err := genutil.ParseSplit("nexmark", split)
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
		split:      uint64(k),
		nsplit:     uint64(n),
		next:       next,
		limit:      ^uint64(0),
		baseMillis: base,
		table:      s.table,
		gen:        generator{cfg: s.cfg, baseUs: base * 1000},
		cols:       s.cols,
		row:        make(types.Row, len(s.cols)),
	}
	if s.eventNum > 0 {
		r.limit = genutil.SplitRows(s.eventNum, r.split, r.nsplit)
	}
	rate := 0.0
	if s.realTime {
		rate = 1e9 / float64(s.cfg.gapNs) / float64(n)
	}
	r.pacer = genutil.NewPacer(rate)
	r.empty = s.table != TableEvent && !r.hasKind()
	return r, nil
}

// Close releases nothing.
func (s *Source) Close() error { return nil }

// Reader generates one split.
type Reader struct {
	split, nsplit uint64
	next          uint64 // split-local index of the next event
	limit         uint64 // split-local event count; ^0 when unbounded
	baseMillis    int64
	table         TableType
	empty         bool // the split never holds an event of the table's kind
	gen           generator
	cols          []colPlan
	row           types.Row
	ev            Event
	pacer         *genutil.Pacer
}

var _ connector.Reader = (*Reader)(nil)

// wantKind is the event kind a typed table keeps.
func (r *Reader) wantKind() Kind { return Kind(r.table - 1) }

// hasKind reports whether any event of the split is of the table's kind.
// Event ids of the split repeat their kind with a period dividing
// 50 * out.of.order.group.size, so one period decides.
func (r *Reader) hasKind() bool {
	period := totalProportion * r.gen.cfg.outOfOrderGroupSize
	want := r.wantKind()
	for i := uint64(0); i < period; i++ {
		if kindOf(r.gen.eventID(r.split+i*r.nsplit)) == want {
			return true
		}
	}
	return false
}

// Read emits up to max rows. A typed table skips the events of other
// kinds, which still count against event.num and the real-time pace.
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
	if r.empty {
		if r.limit != ^uint64(0) {
			r.next = r.limit
			return 0, io.EOF
		}
		genutil.Sleep(ctx, idleWait)
		return 0, ctx.Err()
	}
	// Events to scan: enough to fill max rows of a 2%-kind (persons) table
	// on average, and within what is left and the pace allows.
	scan := uint64(max)
	if r.table != TableEvent {
		scan *= totalProportion
	}
	if left := r.limit - r.next; left < scan {
		scan = left
	}
	budget := r.pacer.Wait(ctx, int(min(scan, 1<<30)), idleWait)
	if budget == 0 {
		return 0, ctx.Err()
	}
	emitted, scanned := 0, 0
	want := r.wantKind()
	for scanned < budget && emitted < max {
		if scanned%ctxCheckEvery == ctxCheckEvery-1 && ctx.Err() != nil {
			break
		}
		n := r.split + r.next*r.nsplit
		r.next++
		scanned++
		if r.table != TableEvent && kindOf(r.gen.eventID(n)) != want {
			continue
		}
		r.gen.next(n, &r.ev)
		project(r.cols, &r.ev, r.row)
		emit(r.row)
		emitted++
	}
	r.pacer.Took(scanned)
	return emitted, nil
}

// Position is the split-local index of the next event and the event-time
// base.
func (r *Reader) Position() []byte { return genutil.EncodePos(r.next, r.baseMillis) }

// Close releases nothing.
func (r *Reader) Close() error { return nil }

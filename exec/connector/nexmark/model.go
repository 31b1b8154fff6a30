package nexmark

import (
	"math"
	"strconv"
	"strings"
	"sync"

	"streamsqld/exec/connector/internal/genutil"
)

// The proportions of the three event kinds in every run of 50 events, and
// the id constants, as in the reference generator (Beam/Flink Nexmark).
const (
	personProportion  = 1
	auctionProportion = 3
	bidProportion     = 46
	totalProportion   = personProportion + auctionProportion + bidProportion

	firstPersonID   = 1000
	firstAuctionID  = 1000
	firstCategoryID = 10

	personIDLead  = 10 // ids a little past the newest person, as the reference does
	auctionIDLead = 10

	// hotSellerBatch and friends: hot ids are the first of the last batch
	// of this many persons/auctions.
	hotSellerBatch  = 100
	hotAuctionBatch = 100
	hotBidderBatch  = 100

	channelsNumber = 10_000
)

// Kind is an event's type; its values are the event_type column of the
// combined stream.
type Kind uint8

const (
	KindPerson Kind = iota
	KindAuction
	KindBid
)

// kindOf is the kind of the event with id eventID.
func kindOf(eventID uint64) Kind {
	switch rem := eventID % totalProportion; {
	case rem < personProportion:
		return KindPerson
	case rem < personProportion+auctionProportion:
		return KindAuction
	}
	return KindBid
}

// config holds the generator parameters (options nexmark.*).
type config struct {
	seed                uint64
	firstEventID        uint64
	gapNs               uint64 // event-time delay between consecutive events
	outOfOrderGroupSize uint64
	activePeople        int64
	inFlightAuctions    int64
	hotSellerRatio      int
	hotAuctionRatio     int
	hotBidderRatio      int
	hotChannelRatio     int
	numCategories       int
	avgPersonBytes      int
	avgAuctionBytes     int
	avgBidBytes         int
}

// Person, Auction and Bid are the Nexmark records. Strings may be
// substrings of shared pools: they are immutable and may be kept.
type Person struct {
	ID                                          int64
	Name, Email, CreditCard, City, State, Extra string
	DateTime                                    int64 // epoch micros
}

type Auction struct {
	ID                    int64
	ItemName, Description string
	InitialBid, Reserve   int64
	DateTime, Expires     int64 // epoch micros
	Seller, Category      int64
	Extra                 string
}

type Bid struct {
	Auction, Bidder, Price int64
	Channel, URL, Extra    string
	DateTime               int64 // epoch micros
}

// Event is one generated event; only the record of its Kind is set.
type Event struct {
	Kind    Kind
	ID      uint64 // event id, which decides the kind and seeds the values
	Time    int64  // event time, epoch micros
	Person  Person
	Auction Auction
	Bid     Bid
}

// generator makes events from their event numbers. It holds scratch
// buffers, so each reader has its own.
type generator struct {
	cfg    config
	baseUs int64
	rng    genutil.Rand
	buf    []byte
}

// adjusted applies the reference's out-of-order groups: within each group
// of outOfOrderGroupSize events, numbers are permuted (n*953 mod size).
func (g *generator) adjusted(n uint64) uint64 {
	s := g.cfg.outOfOrderGroupSize
	if s <= 1 {
		return n
	}
	return n/s*s + n*953%s
}

// timeOf is the event time of (adjusted) event number n: base + n*gap.
func (g *generator) timeOf(n uint64) int64 {
	gap := g.cfg.gapNs
	return g.baseUs + int64((n/1000)*gap+(n%1000)*gap/1000)
}

// eventID returns the id of the event with event number n.
func (g *generator) eventID(n uint64) uint64 { return g.cfg.firstEventID + g.adjusted(n) }

// next fills ev with the event of event number n.
func (g *generator) next(n uint64, ev *Event) {
	adj := g.adjusted(n)
	id := g.cfg.firstEventID + adj
	ts := g.timeOf(adj)
	g.rng.Seed(g.cfg.seed, id)
	ev.ID, ev.Time, ev.Kind = id, ts, kindOf(id)
	switch ev.Kind {
	case KindPerson:
		g.person(id, ts, &ev.Person)
	case KindAuction:
		g.auction(adj, id, ts, &ev.Auction)
	default:
		g.bid(id, ts, &ev.Bid)
	}
}

func (g *generator) person(id uint64, ts int64, p *Person) {
	r := &g.rng
	p.ID = lastBase0PersonID(id) + firstPersonID
	p.Name = personNames[r.Intn(len(personNames))]
	// emailAddress: a 3-6 letter user at a 3-4 letter domain, like the
	// reference's nextString(7)@nextString(5).com.
	b := append(g.buf[:0], letters().Get(r, 3+r.Intn(4))...)
	b = append(b, '@')
	b = append(b, letters().Get(r, 3+r.Intn(2))...)
	b = append(b, ".com"...)
	p.Email = string(b)
	b = b[:0]
	for i := 0; i < 4; i++ {
		if i > 0 {
			b = append(b, ' ')
		}
		v := r.Intn(10000)
		b = append(b, byte('0'+v/1000), byte('0'+v/100%10), byte('0'+v/10%10), byte('0'+v%10))
	}
	p.CreditCard = string(b)
	g.buf = b
	p.City = usCities[r.Intn(len(usCities))]
	p.State = usStates[r.Intn(len(usStates))]
	p.DateTime = ts
	size := 8 + len(p.Name) + len(p.Email) + len(p.CreditCard) + len(p.City) + len(p.State)
	p.Extra = g.extra(size, g.cfg.avgPersonBytes)
}

func (g *generator) auction(adj, id uint64, ts int64, a *Auction) {
	r := &g.rng
	a.ID = lastBase0AuctionID(id) + firstAuctionID
	// P(hot seller) = 1 - 1/hotSellerRatio.
	if r.Intn(g.cfg.hotSellerRatio) > 0 {
		a.Seller = lastBase0PersonID(id) / hotSellerBatch * hotSellerBatch
	} else {
		a.Seller = g.nextBase0PersonID(id)
	}
	a.Seller += firstPersonID
	a.Category = firstCategoryID + int64(r.Intn(g.cfg.numCategories))
	a.InitialBid = nextPrice(r)
	// The auction lasts on average until numInFlightAuctions more auctions
	// have been created.
	eventsForAuctions := uint64(g.cfg.inFlightAuctions) * totalProportion / auctionProportion
	horizon := g.timeOf(adj+eventsForAuctions) - ts
	a.Expires = ts + 1 + r.Int63n(max(2*horizon, 1))
	a.ItemName = spacedString(r, 20)
	a.Description = spacedString(r, 100)
	a.Reserve = a.InitialBid + nextPrice(r)
	a.DateTime = ts
	size := 8 + len(a.ItemName) + len(a.Description) + 8 + 8 + 8 + 8 + 8
	a.Extra = g.extra(size, g.cfg.avgAuctionBytes)
}

func (g *generator) bid(id uint64, ts int64, b *Bid) {
	r := &g.rng
	// P(hot auction) = 1 - 1/hotAuctionRatio.
	if r.Intn(g.cfg.hotAuctionRatio) > 0 {
		b.Auction = lastBase0AuctionID(id) / hotAuctionBatch * hotAuctionBatch
	} else {
		b.Auction = g.nextBase0AuctionID(id)
	}
	b.Auction += firstAuctionID
	// Hot bidders are the second person of a batch, so that they differ
	// from hot sellers.
	if r.Intn(g.cfg.hotBidderRatio) > 0 {
		b.Bidder = lastBase0PersonID(id)/hotBidderBatch*hotBidderBatch + 1
	} else {
		b.Bidder = g.nextBase0PersonID(id)
	}
	b.Bidder += firstPersonID
	b.Price = nextPrice(r)
	ch := channels()
	if r.Intn(g.cfg.hotChannelRatio) > 0 {
		i := r.Intn(len(hotChannels))
		b.Channel, b.URL = hotChannels[i], ch.hotURLs[i]
	} else {
		i := r.Intn(channelsNumber)
		b.Channel, b.URL = ch.names[i], ch.urls[i]
	}
	b.DateTime = ts
	b.Extra = g.extra(8+8+8+8, g.cfg.avgBidBytes)
}

// lastBase0PersonID is the (0-based) id of the newest person at event id.
func lastBase0PersonID(eventID uint64) int64 {
	epoch := eventID / totalProportion
	off := eventID % totalProportion
	if off >= personProportion {
		off = personProportion - 1
	}
	return int64(epoch*personProportion + off)
}

// lastBase0AuctionID is the (0-based) id of the newest auction at event id.
func lastBase0AuctionID(eventID uint64) int64 {
	epoch := int64(eventID / totalProportion)
	off := int64(eventID % totalProportion)
	switch {
	case off < personProportion:
		// About to make a person: the last auction of the previous epoch.
		epoch--
		off = auctionProportion - 1
	case off >= personProportion+auctionProportion:
		// About to make a bid: the last auction of this epoch.
		off = auctionProportion - 1
	default:
		off -= personProportion
	}
	return epoch*auctionProportion + off
}

// nextBase0PersonID picks one of the active persons or a few just past
// the newest.
func (g *generator) nextBase0PersonID(eventID uint64) int64 {
	numPeople := lastBase0PersonID(eventID) + 1
	active := min(numPeople, g.cfg.activePeople)
	n := g.rng.Int63n(active + personIDLead)
	return numPeople - active + n
}

// nextBase0AuctionID picks an auction likely still in flight, or a few
// just past the newest.
func (g *generator) nextBase0AuctionID(eventID uint64) int64 {
	maxAuction := lastBase0AuctionID(eventID)
	minAuction := max(maxAuction-g.cfg.inFlightAuctions, 0)
	return minAuction + g.rng.Int63n(maxAuction-minAuction+1+auctionIDLead)
}

// ln1e6 makes nextPrice exp(u*ln 1e6) rather than pow(10, 6u): same
// distribution, cheaper call.
var ln1e6 = math.Log(1e6)

// nextPrice is the reference's round(10^(6u) * 100): cents, log-uniform
// between 1 and 1,000,000 dollars.
func nextPrice(r *genutil.Rand) int64 {
	return int64(math.Exp(r.Float64()*ln1e6)*100 + 0.5) // positive: +0.5 rounds
}

// extra pads a record towards the configured average size, ±20%.
func (g *generator) extra(current, avg int) string {
	if current > avg {
		return ""
	}
	want := avg - current
	delta := int(math.Round(float64(want) * 0.2))
	size := want - delta
	if delta > 0 {
		size += g.rng.Intn(2 * delta)
	}
	return letters().Get(&g.rng, size)
}

// spacedString is the reference's nextString(maxLength): 3 to maxLength-1
// characters, about one in 13 a space, trimmed.
func spacedString(r *genutil.Rand, maxLength int) string {
	n := 3 + r.Intn(maxLength-3)
	return strings.TrimSpace(spaced().Get(r, n))
}

var (
	usStates    = [...]string{"AZ", "CA", "ID", "OR", "WA", "WY"}
	usCities    = [...]string{"Phoenix", "Los Angeles", "San Francisco", "Boise", "Portland", "Bend", "Redmond", "Seattle", "Kent", "Cheyenne"}
	firstNames  = [...]string{"Peter", "Paul", "Luke", "John", "Saul", "Vicky", "Kate", "Julie", "Sarah", "Deiter", "Walter"}
	lastNames   = [...]string{"Shultz", "Abrams", "Spencer", "White", "Bartels", "Walton", "Smith", "Jones", "Noris"}
	hotChannels = [...]string{"Google", "Facebook", "Baidu", "Apple"}
)

// personNames is every "First Last" combination, so a person's name is
// one draw and no allocation.
var personNames = func() []string {
	out := make([]string, 0, len(firstNames)*len(lastNames))
	for _, f := range firstNames {
		for _, l := range lastNames {
			out = append(out, f+" "+l)
		}
	}
	return out
}()

// maxPoolString bounds the strings cut from the pools (extra of large
// configured record sizes included).
const maxPoolString = 1 << 16

var (
	poolsOnce              sync.Once
	letterPool, spacedPool *genutil.TextPool
	channelTable           *channelCache
)

func initPools() {
	letterPool = genutil.NewLetterPool(0x4e45584d, 1<<20, maxPoolString, 0, 0)
	spacedPool = genutil.NewLetterPool(0x4e455831, 1<<18, 128, 13, ' ')
	channelTable = newChannelCache()
}

func letters() *genutil.TextPool {
	poolsOnce.Do(initPools)
	return letterPool
}

func spaced() *genutil.TextPool {
	poolsOnce.Do(initPools)
	return spacedPool
}

func channels() *channelCache {
	poolsOnce.Do(initPools)
	return channelTable
}

// channelCache is the reference's CHANNEL_URL_CACHE: 10,000 channels, each
// with a fixed URL, plus the URLs of the hot channels.
type channelCache struct {
	names, urls []string
	hotURLs     [len(hotChannels)]string
}

func newChannelCache() *channelCache {
	var r genutil.Rand
	r.Seed(0x4348414e, 0)
	baseURL := func() string {
		seg := func() string {
			// nextString(5, '_'): 3-4 characters, some '_'.
			n := 3 + r.Intn(2)
			b := make([]byte, n)
			for i := range b {
				if r.Intn(13) == 0 {
					b[i] = '_'
				} else {
					b[i] = byte('a' + r.Intn(26))
				}
			}
			return string(b)
		}
		return "https://www.nexmark.com/" + seg() + "/" + seg() + "/" + seg() + "/item.htm?query=1"
	}
	c := &channelCache{names: make([]string, channelsNumber), urls: make([]string, channelsNumber)}
	for i := range c.hotURLs {
		c.hotURLs[i] = baseURL()
	}
	for i := 0; i < channelsNumber; i++ {
		c.names[i] = "channel-" + strconv.Itoa(i)
		u := baseURL()
		if r.Bool() {
			u += "&channel_id=" + strconv.FormatInt(int64(math.Abs(float64(reverse32(int32(i))))), 10)
		}
		c.urls[i] = u
	}
	return c
}

// reverse32 is Java's Integer.reverse.
func reverse32(v int32) int32 {
	u := uint32(v)
	var out uint32
	for i := 0; i < 32; i++ {
		out = out<<1 | u&1
		u >>= 1
	}
	return int32(out)
}

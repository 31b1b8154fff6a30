package nexmark

import (
	"strings"

	"streamsqld/exec/connector/internal/genutil"
	"streamsqld/sql/types"
)

// field is a value of an event a column can show.
type field uint8

const (
	fNull field = iota
	fEventType
	fEventTime

	fPersonID
	fPersonName
	fPersonEmail
	fPersonCard
	fPersonCity
	fPersonState
	fPersonTime
	fPersonExtra

	fAuctionID
	fAuctionItem
	fAuctionDesc
	fAuctionInitial
	fAuctionReserve
	fAuctionTime
	fAuctionExpires
	fAuctionSeller
	fAuctionCategory
	fAuctionExtra

	fBidAuction
	fBidBidder
	fBidPrice
	fBidChannel
	fBidURL
	fBidTime
	fBidExtra
)

// Column names are normalized: lower case, underscores removed.
var (
	personFields = map[string]field{
		"id": fPersonID, "name": fPersonName, "emailaddress": fPersonEmail,
		"creditcard": fPersonCard, "city": fPersonCity, "state": fPersonState,
		"datetime": fPersonTime, "extra": fPersonExtra,
	}
	auctionFields = map[string]field{
		"id": fAuctionID, "itemname": fAuctionItem, "description": fAuctionDesc,
		"initialbid": fAuctionInitial, "reserve": fAuctionReserve,
		"datetime": fAuctionTime, "expires": fAuctionExpires, "seller": fAuctionSeller,
		"category": fAuctionCategory, "extra": fAuctionExtra,
	}
	bidFields = map[string]field{
		"auction": fBidAuction, "bidder": fBidBidder, "price": fBidPrice,
		"channel": fBidChannel, "url": fBidURL, "datetime": fBidTime, "extra": fBidExtra,
	}
)

func normalize(name string) string {
	return strings.ReplaceAll(strings.ToLower(name), "_", "")
}

// colPlan is what one column shows and as which type.
type colPlan struct {
	f    field
	typ  types.T
	kind Kind // the record kind of f, when hasKind
	// hasKind: f belongs to one record kind (NULL for other events).
	hasKind bool
	// native: typ is the field's own type (BIGINT, TIMESTAMP, unbounded
	// text), so the datum is built directly without a conversion.
	native bool
}

func planColumns(cols []types.Column, table TableType) []colPlan {
	out := make([]colPlan, len(cols))
	for i, c := range cols {
		p := colPlan{f: lookup(normalize(c.Name), table), typ: c.Type}
		p.kind, p.hasKind = kindOfField(p.f)
		switch fieldKinds[p.f] {
		case types.KInt:
			p.native = c.Type.Fam == types.Int8
		case types.KTime:
			p.native = c.Type.Fam == types.Timestamp || c.Type.Fam == types.Timestamptz
		case types.KString:
			p.native = c.Type.Fam == types.Text || (c.Type.Fam == types.Varchar && c.Type.Mod < 0)
		}
		out[i] = p
	}
	return out
}

// fieldKinds is the natural datum kind of each field.
var fieldKinds = [...]types.Kind{
	fNull:            types.KNull,
	fEventType:       types.KInt,
	fEventTime:       types.KTime,
	fPersonID:        types.KInt,
	fPersonName:      types.KString,
	fPersonEmail:     types.KString,
	fPersonCard:      types.KString,
	fPersonCity:      types.KString,
	fPersonState:     types.KString,
	fPersonTime:      types.KTime,
	fPersonExtra:     types.KString,
	fAuctionID:       types.KInt,
	fAuctionItem:     types.KString,
	fAuctionDesc:     types.KString,
	fAuctionInitial:  types.KInt,
	fAuctionReserve:  types.KInt,
	fAuctionTime:     types.KTime,
	fAuctionExpires:  types.KTime,
	fAuctionSeller:   types.KInt,
	fAuctionCategory: types.KInt,
	fAuctionExtra:    types.KString,
	fBidAuction:      types.KInt,
	fBidBidder:       types.KInt,
	fBidPrice:        types.KInt,
	fBidChannel:      types.KString,
	fBidURL:          types.KString,
	fBidTime:         types.KTime,
	fBidExtra:        types.KString,
}

func lookup(name string, table TableType) field {
	switch table {
	case TablePerson:
		return personFields[name]
	case TableAuction:
		return auctionFields[name]
	case TableBid:
		return bidFields[name]
	}
	switch name {
	case "eventtype":
		return fEventType
	case "datetime":
		return fEventTime
	}
	if rest, ok := strings.CutPrefix(name, "person"); ok {
		return personFields[rest]
	}
	if rest, ok := strings.CutPrefix(name, "auction"); ok {
		return auctionFields[rest]
	}
	if rest, ok := strings.CutPrefix(name, "bid"); ok {
		return bidFields[rest]
	}
	return fNull
}

// kindOfField is the event kind a record field belongs to.
func kindOfField(f field) (Kind, bool) {
	switch {
	case f >= fPersonID && f <= fPersonExtra:
		return KindPerson, true
	case f >= fAuctionID && f <= fAuctionExtra:
		return KindAuction, true
	case f >= fBidAuction && f <= fBidExtra:
		return KindBid, true
	}
	return 0, false
}

// project writes ev's values into row; record fields of another kind than
// ev's are NULL (the combined stream).
func project(cols []colPlan, ev *Event, row types.Row) {
	p, a, b := &ev.Person, &ev.Auction, &ev.Bid
	for i := range cols {
		c := &cols[i]
		if c.hasKind && c.kind != ev.Kind {
			row[i] = types.Null
			continue
		}
		var iv int64
		var sv string
		switch c.f {
		case fNull:
			row[i] = types.Null
			continue
		case fEventType:
			iv = int64(ev.Kind)
		case fEventTime:
			iv = ev.Time
		case fPersonID:
			iv = p.ID
		case fPersonName:
			sv = p.Name
		case fPersonEmail:
			sv = p.Email
		case fPersonCard:
			sv = p.CreditCard
		case fPersonCity:
			sv = p.City
		case fPersonState:
			sv = p.State
		case fPersonTime:
			iv = p.DateTime
		case fPersonExtra:
			sv = p.Extra
		case fAuctionID:
			iv = a.ID
		case fAuctionItem:
			sv = a.ItemName
		case fAuctionDesc:
			sv = a.Description
		case fAuctionInitial:
			iv = a.InitialBid
		case fAuctionReserve:
			iv = a.Reserve
		case fAuctionTime:
			iv = a.DateTime
		case fAuctionExpires:
			iv = a.Expires
		case fAuctionSeller:
			iv = a.Seller
		case fAuctionCategory:
			iv = a.Category
		case fAuctionExtra:
			sv = a.Extra
		case fBidAuction:
			iv = b.Auction
		case fBidBidder:
			iv = b.Bidder
		case fBidPrice:
			iv = b.Price
		case fBidChannel:
			sv = b.Channel
		case fBidURL:
			sv = b.URL
		case fBidTime:
			iv = b.DateTime
		case fBidExtra:
			sv = b.Extra
		}
		k := fieldKinds[c.f]
		switch {
		case c.native && k == types.KString:
			row[i] = types.Datum{K: types.KString, S: sv}
		case c.native:
			row[i] = types.Datum{K: k, I: iv}
		case k == types.KString:
			row[i] = genutil.FromString(sv, c.typ)
		case k == types.KTime:
			row[i] = genutil.FromTime(iv, c.typ)
		default:
			row[i] = genutil.FromInt(iv, c.typ)
		}
	}
}

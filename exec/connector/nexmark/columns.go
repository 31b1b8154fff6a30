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
	f   field
	typ types.T
}

func planColumns(cols []types.Column, table TableType) []colPlan {
	out := make([]colPlan, len(cols))
	for i, c := range cols {
		out[i] = colPlan{f: lookup(normalize(c.Name), table), typ: c.Type}
	}
	return out
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
	for i := range cols {
		c := &cols[i]
		if k, ok := kindOfField(c.f); ok && k != ev.Kind {
			row[i] = types.Null
			continue
		}
		t := c.typ
		p, a, b := &ev.Person, &ev.Auction, &ev.Bid
		var d types.Datum
		switch c.f {
		case fNull:
		case fEventType:
			d = genutil.FromInt(int64(ev.Kind), t)
		case fEventTime:
			d = genutil.FromTime(ev.Time, t)
		case fPersonID:
			d = genutil.FromInt(p.ID, t)
		case fPersonName:
			d = genutil.FromString(p.Name, t)
		case fPersonEmail:
			d = genutil.FromString(p.Email, t)
		case fPersonCard:
			d = genutil.FromString(p.CreditCard, t)
		case fPersonCity:
			d = genutil.FromString(p.City, t)
		case fPersonState:
			d = genutil.FromString(p.State, t)
		case fPersonTime:
			d = genutil.FromTime(p.DateTime, t)
		case fPersonExtra:
			d = genutil.FromString(p.Extra, t)
		case fAuctionID:
			d = genutil.FromInt(a.ID, t)
		case fAuctionItem:
			d = genutil.FromString(a.ItemName, t)
		case fAuctionDesc:
			d = genutil.FromString(a.Description, t)
		case fAuctionInitial:
			d = genutil.FromInt(a.InitialBid, t)
		case fAuctionReserve:
			d = genutil.FromInt(a.Reserve, t)
		case fAuctionTime:
			d = genutil.FromTime(a.DateTime, t)
		case fAuctionExpires:
			d = genutil.FromTime(a.Expires, t)
		case fAuctionSeller:
			d = genutil.FromInt(a.Seller, t)
		case fAuctionCategory:
			d = genutil.FromInt(a.Category, t)
		case fAuctionExtra:
			d = genutil.FromString(a.Extra, t)
		case fBidAuction:
			d = genutil.FromInt(b.Auction, t)
		case fBidBidder:
			d = genutil.FromInt(b.Bidder, t)
		case fBidPrice:
			d = genutil.FromInt(b.Price, t)
		case fBidChannel:
			d = genutil.FromString(b.Channel, t)
		case fBidURL:
			d = genutil.FromString(b.URL, t)
		case fBidTime:
			d = genutil.FromTime(b.DateTime, t)
		case fBidExtra:
			d = genutil.FromString(b.Extra, t)
		}
		row[i] = d
	}
}

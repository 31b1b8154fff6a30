package kafka

import (
	"strings"
	"testing"
	"time"

	"streamsqld/sql/types"
)

func col(name string, t types.T) types.Column { return types.Column{Name: name, Type: t} }

func ts(s string) types.Datum {
	tm, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		panic(err)
	}
	return types.NewTime(tm.UnixMicro())
}

func num(s string) types.Datum {
	d, err := types.ParseText(s, types.TNumeric)
	if err != nil {
		panic(err)
	}
	return d
}

func TestDecoderValues(t *testing.T) {
	cols := []types.Column{
		col("id", types.TInt8),
		col("small", types.TInt2),
		col("ts", types.TTimestamp),
		col("tz", types.TTimestamptz),
		col("author", types.TVarchar),
		col("score", types.TFloat8),
		col("price", types.TNumeric),
		col("ok", types.TBool),
		col("payload", types.TJsonb),
		col("raw", types.TJson),
		col("note", types.TText),
		col("day", types.TDate),
		col("tags", types.TTextArray),
		col("MixedCase", types.TInt4),
	}
	N := types.Null
	tests := []struct {
		name string
		in   string
		want map[string]types.Datum // columns not listed must be NULL
	}{
		{"empty object", `{}`, nil},
		{"basic", `{"id": 42, "author": "ann", "score": 1.5, "ok": true}`, map[string]types.Datum{
			"id": types.NewInt(42), "author": types.NewString("ann"), "score": types.NewFloat(1.5), "ok": types.NewBool(true)}},
		{"case-insensitive keys", `{"ID": 1, "Author": "x", "mixedcase": 7}`, map[string]types.Datum{
			"id": types.NewInt(1), "author": types.NewString("x"), "MixedCase": types.NewInt(7)}},
		{"nulls and unknown keys", `{"id": null, "nested": {"a": [1, {"b": "}"}], "c": null}, "zzz": [true, false, null, -1.5e3], "author": null, "note": "n"}`,
			map[string]types.Datum{"note": types.NewString("n")}},
		{"strings parsed for numbers", `{"id": "17", "small": " 3 ", "score": "2.25", "price": "10.50", "ok": "yes"}`, map[string]types.Datum{
			"id": types.NewInt(17), "small": types.NewInt(3), "score": types.NewFloat(2.25), "price": num("10.50"), "ok": types.NewBool(true)}},
		{"integral float into int", `{"id": 2.0, "small": 1e2}`, map[string]types.Datum{"id": types.NewInt(2), "small": types.NewInt(100)}},
		{"numbers into numeric and text", `{"price": 123.456e1, "note": -0.5, "author": 12}`, map[string]types.Datum{
			"price": num("1234.56"), "note": types.NewString("-0.5"), "author": types.NewString("12")}},
		{"rfc3339", `{"ts": "2024-05-01T10:20:30Z", "tz": "2024-05-01T12:20:30.123456+02:00"}`, map[string]types.Datum{
			"ts": ts("2024-05-01T10:20:30Z"), "tz": ts("2024-05-01T10:20:30.123456Z")}},
		{"pg style timestamp", `{"ts": "2024-05-01 10:20:30.5", "tz": "2024-05-01 10:20"}`, map[string]types.Datum{
			"ts": ts("2024-05-01T10:20:30.5Z"), "tz": ts("2024-05-01T10:20:00Z")}},
		{"offset converted for timestamp", `{"ts": "2024-05-01T10:00:00-0130"}`, map[string]types.Datum{"ts": ts("2024-05-01T11:30:00Z")}},
		{"fallback timestamp parser", `{"ts": "May 1 2024 10:20:30", "tz": "2024-05-01"}`, map[string]types.Datum{
			"ts": ts("2024-05-01T10:20:30Z"), "tz": ts("2024-05-01T00:00:00Z")}},
		{"epoch millis", `{"ts": 1714558830123, "tz": 1714558830123.5, "day": 1714558830123}`, map[string]types.Datum{
			"ts": ts("2024-05-01T10:20:30.123Z"), "tz": ts("2024-05-01T10:20:30.1235Z"), "day": types.NewDate(19844)}},
		{"escapes", `{"author": "a\"b\\c\/\n\u00e9\ud83d\ude00", "note": "plain ✓"}`, map[string]types.Datum{
			"author": types.NewString("a\"b\\c/\né😀"), "note": types.NewString("plain ✓")}},
		{"escaped key", `{"\u0069d": 5}`, map[string]types.Datum{"id": types.NewInt(5)}},
		{"json and jsonb", `{"payload": {"b": 1, "a": [1, 2]}, "raw": {"x" : 1}}`, map[string]types.Datum{
			"payload": types.NewString(`{"a": [1, 2], "b": 1}`), "raw": types.NewString(`{"x" : 1}`)}},
		{"string into json", `{"raw": "s", "payload": "t"}`, map[string]types.Datum{
			"raw": types.NewString(`"s"`), "payload": types.NewString(`"t"`)}},
		{"object into text", `{"note": {"a": 1}}`, map[string]types.Datum{"note": types.NewString(`{"a": 1}`)}},
		{"array column", `{"tags": ["a", null, "b\"c"]}`, map[string]types.Datum{
			"tags": types.NewArray([]types.Datum{types.NewString("a"), N, types.NewString(`b"c`)})}},
		{"duplicate key keeps last", `{"author": "a", "author": "b", "id": 1, "id": null}`, map[string]types.Datum{
			"author": types.NewString("b")}},
		{"whitespace", " \n{ \"id\" :\t7 } \r\n", map[string]types.Datum{"id": types.NewInt(7)}},
		{"int64 bounds", `{"id": -9223372036854775808}`, map[string]types.Datum{"id": types.NewInt(-9223372036854775808)}},
	}
	d := NewDecoder(cols)
	row := make(types.Row, len(cols))
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if err := d.Decode([]byte(tc.in), row); err != nil {
				t.Fatalf("Decode(%s): %v", tc.in, err)
			}
			for i, c := range cols {
				want, ok := tc.want[c.Name]
				if !ok {
					want = N
				}
				if got := row[i]; got.K != want.K || types.Compare(got, want) != 0 {
					t.Errorf("%s = %#v, want %#v", c.Name, got, want)
				}
			}
		})
	}
}

func TestDecoderErrors(t *testing.T) {
	cols := []types.Column{
		col("id", types.TInt4),
		col("ts", types.TTimestamp),
		col("name", types.T{Fam: types.Varchar, Mod: 3}),
		col("ok", types.TBool),
		col("f", types.TFloat4),
	}
	tests := []struct {
		in, want string
	}{
		{``, "empty record"},
		{`  `, "empty record"},
		{`[1]`, "not a JSON object"},
		{`"x"`, "not a JSON object"},
		{`not json`, "not a JSON object"},
		{`{"id": 1`, "unexpected end"},
		{`{"id": 1,}`, "expected an object key"},
		{`{"id" 1}`, "expected ':'"},
		{`{"id": 1} x`, "after the object"},
		{`{"id": "abc"}`, `column "id": invalid input syntax for type integer`},
		{`{"id": 1.5}`, `column "id": value 1.5 is not a valid integer`},
		{`{"id": 3000000000}`, `column "id": integer out of range`},
		{`{"id": 99999999999999999999}`, `column "id": value 99999999999999999999 is out of range`},
		{`{"id": {"a": 1}}`, `column "id": cannot convert an object to integer`},
		{`{"id": true}`, `column "id": cannot convert true to integer`},
		{`{"ts": "yesterday-ish"}`, `column "ts": invalid input syntax for type timestamp`},
		{`{"ts": "2024-02-30 00:00:00"}`, `column "ts"`},
		{`{"name": "abcd"}`, `column "name": value too long`},
		{`{"ok": 2}`, `column "ok": cannot convert number 2 to boolean`},
		{`{"f": 1e39}`, `column "f": value 1e39 is out of range for type real`},
		{`{"x": tru}`, "invalid JSON"},
		{`{"x": [1, 2}`, "invalid JSON"},
		{`{"x": 01}`, "invalid JSON"},
		{`{"x": "a` + "\x01" + `"}`, "control character"},
		{`{"id": "\u0000"}`, `\u0000`},
		{`{"x": "\ud800"}`, ""}, // lone surrogates are skipped unchecked in unknown keys
		{`{"name": "\ud800"}`, `bad \u escape`},
		{"{\"name\": \"\xff\"}", "invalid UTF-8"},
		{`{"x": ` + strings.Repeat("[", 600) + strings.Repeat("]", 600) + `}`, "nested too deeply"},
	}
	d := NewDecoder(cols)
	row := make(types.Row, len(cols))
	for _, tc := range tests {
		err := d.Decode([]byte(tc.in), row)
		if tc.want == "" {
			if err != nil {
				t.Errorf("Decode(%q): %v", tc.in, err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Decode(%q) = %v, want error containing %q", tc.in, err, tc.want)
		}
	}
}

// TestDecoderReuse checks that strings of one record survive decoding the
// next (they share a per-record arena string, not the decoder's buffer).
func TestDecoderReuse(t *testing.T) {
	d := NewDecoder([]types.Column{col("a", types.TText), col("b", types.TText)})
	row := make(types.Row, 2)
	if err := d.Decode([]byte(`{"a": "first", "b": "second"}`), row); err != nil {
		t.Fatal(err)
	}
	kept := append(types.Row(nil), row...)
	if err := d.Decode([]byte(`{"b": "XXXXXX", "a": "YYYYY"}`), row); err != nil {
		t.Fatal(err)
	}
	if kept[0].S != "first" || kept[1].S != "second" || row[0].S != "YYYYY" || row[1].S != "XXXXXX" {
		t.Fatalf("kept %v, row %v", kept, row)
	}
}

func TestParseTimestampFast(t *testing.T) {
	for in, want := range map[string]string{
		"1970-01-01T00:00:00Z":             "1970-01-01T00:00:00Z",
		"2000-02-29 23:59:59.9999995":      "2000-03-01T00:00:00Z",
		"2024-12-31T23:59:59.000001+14:00": "2024-12-31T09:59:59.000001Z",
		"1969-12-31T23:59:59.5Z":           "1969-12-31T23:59:59.5Z",
		"2024-01-01T00:00:00+05":           "2023-12-31T19:00:00Z",
	} {
		us, ok := parseTimestampFast([]byte(in))
		if !ok || us != ts(want).I {
			t.Errorf("parseTimestampFast(%q) = %d %v, want %d", in, us, ok, ts(want).I)
		}
	}
	for _, in := range []string{"2024-01-01", "2024-13-01T00:00:00", "2023-02-29 00:00:00", "2024-01-01T24:00:00", "2024-01-01T00:00:00 UTC", "2024-01-01T00:00:00."} {
		if _, ok := parseTimestampFast([]byte(in)); ok {
			t.Errorf("parseTimestampFast(%q) accepted", in)
		}
	}
}

var tweetCols = []types.Column{
	col("id", types.TInt8),
	col("ts", types.TTimestamp),
	col("author", types.TVarchar),
	col("text", types.TText),
}

const tweetJSON = `{"id":1234567,"ts":"2024-05-01T10:20:30.123Z","author":"user_42","text":"Stream processing with #Flink and #Kafka is fun"}`

// BenchmarkDecodeTweet measures the decoder alone on a four-field tweet;
// records/s is reported.
func BenchmarkDecodeTweet(b *testing.B) {
	d := NewDecoder(tweetCols)
	row := make(types.Row, len(tweetCols))
	msg := []byte(tweetJSON)
	b.SetBytes(int64(len(msg)))
	b.ReportAllocs()
	for b.Loop() {
		if err := d.Decode(msg, row); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "records/s")
}

// BenchmarkDecodeTweetExtraKeys is the tweet among keys no column wants.
func BenchmarkDecodeTweetExtraKeys(b *testing.B) {
	d := NewDecoder(tweetCols)
	row := make(types.Row, len(tweetCols))
	msg := []byte(`{"id":1234567,"lang":"en","ts":1714558830123,"user":{"name":"x","followers":[1,2,3]},"author":"user_42","retweets":0.5,"text":"Stream processing with \"#Flink\" and #Kafka\n"}`)
	b.SetBytes(int64(len(msg)))
	b.ReportAllocs()
	for b.Loop() {
		if err := d.Decode(msg, row); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "records/s")
}

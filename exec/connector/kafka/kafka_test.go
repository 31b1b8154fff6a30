package kafka

import (
	"context"
	"fmt"
	"net"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/IBM/sarama"
	"github.com/twmb/franz-go/pkg/kfake"
	"go.uber.org/goleak"

	"streamsqld/catalog"
	"streamsqld/exec/connector"
	"streamsqld/sql/pgerror"
	"streamsqld/sql/types"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m,
		// go-metrics (sarama's metrics registry) runs one process-wide
		// ticker for meters.
		goleak.IgnoreTopFunction("github.com/rcrowley/go-metrics.(*meterArbiter).tick"),
		// sarama's producer opens a circuit breaker when the broker is
		// down; its timer goroutine sleeps 10 s and then ends, whatever
		// was closed meanwhile.
		goleak.IgnoreAnyFunction("github.com/eapache/go-resiliency/breaker.(*Breaker).timer"),
	)
}

const topic = "tweets"

func newCluster(t *testing.T, opts ...kfake.Opt) *kfake.Cluster {
	t.Helper()
	c, err := kfake.NewCluster(append([]kfake.Opt{kfake.NumBrokers(1), kfake.SeedTopics(4, topic)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return c
}

// producer produces to explicit partitions.
type producer struct {
	t    *testing.T
	p    sarama.SyncProducer
	once sync.Once
}

func (p *producer) close() { p.once.Do(func() { _ = p.p.Close() }) }

func newProducer(t *testing.T, addrs []string) *producer {
	t.Helper()
	cfg := sarama.NewConfig()
	cfg.Producer.Return.Successes = true
	cfg.Producer.Partitioner = sarama.NewManualPartitioner
	cfg.Producer.RequiredAcks = sarama.WaitForAll
	p, err := sarama.NewSyncProducer(addrs, cfg)
	if err != nil {
		t.Fatal(err)
	}
	pr := &producer{t: t, p: p}
	t.Cleanup(pr.close)
	return pr
}

func (p *producer) send(partition int32, value string) {
	p.sendAt(partition, value, time.Time{})
}

func (p *producer) sendAt(partition int32, value string, at time.Time) {
	p.t.Helper()
	msg := &sarama.ProducerMessage{Topic: topic, Partition: partition, Value: sarama.StringEncoder(value), Timestamp: at}
	if _, _, err := p.p.SendMessage(msg); err != nil {
		p.t.Fatalf("produce: %v", err)
	}
}

// sendBatch produces tweets from..to, record i on partition part(i), in
// one request per batch.
func (p *producer) sendBatch(from, to int, part func(i int) int32) {
	p.t.Helper()
	var msgs []*sarama.ProducerMessage
	for i := from; i <= to; i++ {
		msgs = append(msgs, &sarama.ProducerMessage{Topic: topic, Partition: part(i), Value: sarama.StringEncoder(tweet(i))})
	}
	if err := p.p.SendMessages(msgs); err != nil {
		p.t.Fatalf("produce: %v", err)
	}
}

func tweet(id int) string {
	return fmt.Sprintf(`{"id": %d, "ts": "2024-05-01T10:00:%02d.%03dZ", "author": "user_%d", "text": "hello #%d", "extra": {"x": [1]}}`,
		id, id%60, id%1000, id%7, id)
}

func tweetRel(opts map[string]string) *catalog.Relation {
	o := map[string]string{"connector": "kafka", "topic": topic}
	for k, v := range opts {
		o[k] = v
	}
	return &catalog.Relation{
		Name: "tweets_src",
		Columns: []types.Column{
			{Name: "id", Type: types.TInt8},
			{Name: "ts", Type: types.TTimestamp},
			{Name: "author", Type: types.TVarchar},
			{Name: "text", Type: types.TText},
			{Name: "score", Type: types.TFloat8},
		},
		Connector: "kafka",
		Options:   o,
		Format:    "JSON",
	}
}

func openSource(t *testing.T, addrs []string, opts map[string]string) *Source {
	t.Helper()
	o := map[string]string{"properties.bootstrap.server": strings.Join(addrs, ",")}
	for k, v := range opts {
		o[k] = v
	}
	src, err := connector.New(context.Background(), Name, tweetRel(o), connector.Env{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = src.Close() })
	return src.(*Source)
}

func openReader(t *testing.T, s *Source, split string, pos []byte) *Reader {
	t.Helper()
	r, err := s.Open(context.Background(), split, pos)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = r.Close() })
	return r.(*Reader)
}

// readIDs reads from r until it has want rows (or fails after a timeout),
// in Reads of at most max rows, and returns the ids.
func readIDs(t *testing.T, r connector.Reader, want, max int) []int64 {
	t.Helper()
	var ids []int64
	deadline := time.Now().Add(10 * time.Second)
	for len(ids) < want {
		if time.Now().After(deadline) {
			t.Fatalf("read %d rows, want %d", len(ids), want)
		}
		n, err := r.Read(context.Background(), min(max, want-len(ids)), func(row types.Row) {
			ids = append(ids, row[0].I)
		})
		if err != nil {
			t.Fatal(err)
		}
		if n < 0 || n > max {
			t.Fatalf("Read returned %d", n)
		}
		if n == 0 {
			// Read does not wait for records; the runtime pauses too.
			time.Sleep(time.Millisecond)
		}
	}
	return ids
}

// expectIdle checks that r has nothing more to read: for 200 ms, Reads
// return no rows, each at once.
func expectIdle(t *testing.T, r connector.Reader) {
	t.Helper()
	for end := time.Now().Add(200 * time.Millisecond); time.Now().Before(end); time.Sleep(5 * time.Millisecond) {
		start := time.Now()
		n, err := r.Read(context.Background(), 100, func(row types.Row) { t.Errorf("unexpected row %v", row) })
		if err != nil || n != 0 {
			t.Fatalf("Read = %d, %v; want 0, nil", n, err)
		}
		if el := time.Since(start); el > 50*time.Millisecond {
			t.Fatalf("idle Read took %v; it must not wait for records", el)
		}
	}
}

func seq(from, to int) []int64 {
	var out []int64
	for i := from; i <= to; i++ {
		out = append(out, int64(i))
	}
	return out
}

func equalIDs(t *testing.T, got, want []int64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("got %d ids, want %d", len(got), len(want))
	}
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("id[%d] = %d, want %d (got %v)", i, got[i], want[i], got)
		}
	}
}

func TestReadAllPartitions(t *testing.T) {
	c := newCluster(t)
	p := newProducer(t, c.ListenAddrs())
	// Records 1..400, record i on partition i%4.
	p.sendBatch(1, 400, func(i int) int32 { return int32(i % 4) })
	p.send(0, `{"id": 401, "ts": 1714557600000, "author": null, "score": 2.5}`)

	s := openSource(t, c.ListenAddrs(), nil)
	splits, err := s.Splits(context.Background(), 1)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(splits, ",") != "0,1,2,3" {
		t.Fatalf("splits = %v", splits)
	}
	var all []int64
	rows := map[int64]types.Row{}
	for _, sp := range splits {
		r := openReader(t, s, sp, nil)
		want := 100
		if sp == "0" {
			want = 101
		}
		n := 0
		deadline := time.Now().Add(10 * time.Second)
		for n < want && time.Now().Before(deadline) {
			k, err := r.Read(context.Background(), 32, func(row types.Row) {
				rows[row[0].I] = append(types.Row(nil), row...)
				all = append(all, row[0].I)
			})
			if err != nil {
				t.Fatal(err)
			}
			n += k
		}
		if n != want {
			t.Fatalf("split %s: %d rows, want %d", sp, n, want)
		}
		expectIdle(t, r)
		if got := int64(beUint64(r.Position())); got != int64(want) {
			t.Errorf("split %s position = %d, want %d", sp, got, want)
		}
		if st := r.State(); st != stateConnected {
			t.Errorf("state = %q", st)
		}
	}
	sort.Slice(all, func(i, j int) bool { return all[i] < all[j] })
	equalIDs(t, all, seq(1, 401))

	r7 := rows[7]
	if r7[1] != ts("2024-05-01T10:00:07.007Z") || r7[2].S != "user_0" || r7[3].S != "hello #7" || r7[4].K != types.KNull {
		t.Errorf("row 7 = %v", r7)
	}
	r401 := rows[401]
	if r401[1] != ts("2024-05-01T10:00:00Z") || r401[2].K != types.KNull || r401[3].K != types.KNull || r401[4].Float() != 2.5 {
		t.Errorf("row 401 = %v", r401)
	}
	if s.Skipped() != 0 || s.State() != stateConnected {
		t.Errorf("skipped %d, state %q", s.Skipped(), s.State())
	}
}

func TestResumeFromPosition(t *testing.T) {
	c := newCluster(t)
	p := newProducer(t, c.ListenAddrs())
	p.sendBatch(1, 300, func(int) int32 { return 2 })
	s := openSource(t, c.ListenAddrs(), nil)
	r, err := s.Open(context.Background(), "2", nil)
	if err != nil {
		t.Fatal(err)
	}
	first := readIDs(t, r, 123, 10)
	pos := r.Position()
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	p.sendBatch(301, 350, func(int) int32 { return 2 })
	r2 := openReader(t, s, "2", pos)
	rest := readIDs(t, r2, 350-123, 64)
	equalIDs(t, append(first, rest...), seq(1, 350))
	expectIdle(t, r2)

	// The same position on another source (a restarted server) resumes
	// there too; a position at the end reads only new records.
	s2 := openSource(t, c.ListenAddrs(), map[string]string{"scan.startup.mode": "latest"})
	r3 := openReader(t, s2, "2", pos)
	equalIDs(t, readIDs(t, r3, 350-123, 1000), seq(124, 350))
	end := r3.Position()
	if _, err := s2.Open(context.Background(), "2", end); err == nil || !strings.Contains(err.Error(), "already open") {
		t.Fatalf("second reader of split 2: %v", err)
	}
	if err := r3.Close(); err != nil {
		t.Fatal(err)
	}
	r4 := openReader(t, s2, "2", end)
	expectIdle(t, r4)
	p.send(2, tweet(351))
	equalIDs(t, readIDs(t, r4, 1, 10), []int64{351})
}

func TestStartupLatest(t *testing.T) {
	c := newCluster(t)
	p := newProducer(t, c.ListenAddrs())
	for i := 1; i <= 10; i++ {
		p.send(1, tweet(i))
	}
	s := openSource(t, c.ListenAddrs(), map[string]string{"scan.startup.mode": "latest"})
	r := openReader(t, s, "1", nil)
	// The start offset is pinned at Open, before any record arrives.
	if pos := r.Position(); pos == nil || beUint64(pos) != 10 {
		t.Fatalf("position at open = %v, want 10", pos)
	}
	for i := 11; i <= 15; i++ {
		p.send(1, tweet(i))
	}
	equalIDs(t, readIDs(t, r, 5, 100), seq(11, 15))
	expectIdle(t, r)
}

func TestStartupTimestamp(t *testing.T) {
	c := newCluster(t)
	p := newProducer(t, c.ListenAddrs())
	base := time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC)
	for i := 1; i <= 10; i++ {
		p.sendAt(3, tweet(i), base.Add(time.Duration(i)*time.Minute))
	}
	at := base.Add(6 * time.Minute).UnixMilli()
	s := openSource(t, c.ListenAddrs(), map[string]string{
		"scan.startup.mode":             "timestamp",
		"scan.startup.timestamp.millis": strconv.FormatInt(at, 10),
	})
	r := openReader(t, s, "3", nil)
	equalIDs(t, readIDs(t, r, 5, 100), seq(6, 10))
	expectIdle(t, r)

	// A time after every record starts at the end.
	s2 := openSource(t, c.ListenAddrs(), map[string]string{
		"scan.startup.mode":             "timestamp",
		"scan.startup.timestamp.millis": strconv.FormatInt(base.Add(time.Hour).UnixMilli(), 10),
	})
	r2 := openReader(t, s2, "3", nil)
	expectIdle(t, r2)
	p.sendAt(3, tweet(11), base.Add(2*time.Hour))
	equalIDs(t, readIDs(t, r2, 1, 100), []int64{11})
}

func TestMalformedRecordsSkipped(t *testing.T) {
	c := newCluster(t)
	p := newProducer(t, c.ListenAddrs())
	bad := []string{
		`not json`,
		`{"id": "abc"}`,
		`{"id": 1, "ts": "not a time"}`,
		`{"id": 1`,
		`[1, 2]`,
		``,
		`{"id": {"nested": true}}`,
		`{"id": 1} trailing`,
		`{"id": 1, "score": "NaN-ish"}`,
		`{"id": 1e400}`,
	}
	var want []int64
	nbad := 0
	for i := 1; i <= 1000; i++ {
		if i%100 == 50 {
			p.send(0, bad[nbad%len(bad)])
			nbad++
			continue
		}
		p.send(0, tweet(i))
		want = append(want, int64(i))
	}
	s := openSource(t, c.ListenAddrs(), nil)
	r := openReader(t, s, "0", nil)
	equalIDs(t, readIDs(t, r, len(want), 77), want)
	expectIdle(t, r)
	if got := s.Skipped(); got != int64(nbad) {
		t.Errorf("Skipped = %d, want %d", got, nbad)
	}
	// Skipped records advance the position, even the last one.
	p.send(0, `garbage`)
	for deadline := time.Now().Add(10 * time.Second); s.Skipped() == int64(nbad) && time.Now().Before(deadline); {
		if _, err := r.Read(context.Background(), 100, func(row types.Row) { t.Errorf("unexpected row %v", row) }); err != nil {
			t.Fatal(err)
		}
	}
	if got := beUint64(r.Position()); got != 1001 {
		t.Errorf("position = %d, want 1001", got)
	}
	if got := s.Skipped(); got != int64(nbad)+1 {
		t.Errorf("Skipped = %d, want %d", got, nbad+1)
	}
}

func TestFormatErrorsFail(t *testing.T) {
	c := newCluster(t)
	p := newProducer(t, c.ListenAddrs())
	p.send(1, tweet(1))
	p.send(1, tweet(2))
	p.send(1, `{"id": "three"}`)
	p.send(1, tweet(4))
	s := openSource(t, c.ListenAddrs(), map[string]string{"format.errors": "fail"})
	r := openReader(t, s, "1", nil)
	var ids []int64
	var err error
	deadline := time.Now().Add(10 * time.Second)
	for err == nil && time.Now().Before(deadline) {
		_, err = r.Read(context.Background(), 100, func(row types.Row) { ids = append(ids, row[0].I) })
	}
	equalIDs(t, ids, []int64{1, 2})
	if err == nil {
		t.Fatal("no error")
	}
	for _, want := range []string{`topic "tweets"`, "partition 1", "offset 2", `column "id"`} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %s", err, want)
		}
	}
	if code := pgerror.Flatten(err).Code; code != pgerror.InvalidTextRepresentation {
		t.Errorf("code = %s", code)
	}
	if _, err2 := r.Read(context.Background(), 100, func(types.Row) { t.Error("row after failure") }); err2 == nil {
		t.Error("second Read succeeded")
	}
	if got := beUint64(r.Position()); got != 2 {
		t.Errorf("position = %d, want 2 (before the bad record)", got)
	}
	if s.Skipped() != 0 {
		t.Errorf("Skipped = %d", s.Skipped())
	}
}

func TestFactoryErrors(t *testing.T) {
	c := newCluster(t)
	addr := c.ListenAddrs()[0]
	tests := []struct {
		opts map[string]string
		want string
		code string
	}{
		{map[string]string{"brokers": "127.0.0.1:1"}, "cannot reach Kafka brokers 127.0.0.1:1", pgerror.ConnectionFailure},
		{map[string]string{"brokers": addr, "topic": "missing"}, `Kafka topic "missing" does not exist`, pgerror.UndefinedObject},
		{map[string]string{}, `option "properties.bootstrap.server" is required`, pgerror.InvalidParameterValue},
		{map[string]string{"brokers": addr, "topic": ""}, `option "topic" is required`, pgerror.InvalidParameterValue},
		{map[string]string{"brokers": addr, "scan.startup.mode": "group-offsets"}, "unknown scan.startup.mode", pgerror.InvalidParameterValue},
		{map[string]string{"brokers": addr, "scan.startup.mode": "timestamp"}, "requires option", pgerror.InvalidParameterValue},
		{map[string]string{"brokers": addr, "scan.startup.timestamp.millis": "5"}, "needs scan.startup.mode", pgerror.InvalidParameterValue},
		{map[string]string{"brokers": addr, "scan.startup.mod": "latest"}, `unknown option "scan.startup.mod"`, pgerror.InvalidParameterValue},
		{map[string]string{"brokers": addr, "format.errors": "maybe"}, "unknown format.errors", pgerror.InvalidParameterValue},
	}
	for _, tc := range tests {
		rel := tweetRel(tc.opts)
		start := time.Now()
		src, err := New(context.Background(), rel, connector.Env{})
		if err == nil {
			_ = src.Close()
			t.Errorf("%v: no error", tc.opts)
			continue
		}
		if !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: error %q, want %q", tc.opts, err, tc.want)
		}
		if code := pgerror.Flatten(err).Code; code != tc.code {
			t.Errorf("%v: code %s, want %s", tc.opts, code, tc.code)
		}
		if el := time.Since(start); el > 5*time.Second {
			t.Errorf("%v: took %v", tc.opts, el)
		}
	}
	rel := tweetRel(map[string]string{"brokers": addr})
	rel.Format = "AVRO"
	if _, err := New(context.Background(), rel, connector.Env{}); err == nil || !strings.Contains(err.Error(), "FORMAT AVRO is not supported") {
		t.Errorf("avro: %v", err)
	}
}

// freePort returns a port nothing listens on (racy, as such helpers are,
// but the window is tiny).
func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	_ = l.Close()
	return port
}

// TestBrokerRestart stops the only broker while a reader is consuming and
// starts it again on the same port with the same data: the reader reports
// that it is retrying, keeps returning from Read promptly, then resumes
// without losing or repeating records.
func TestBrokerRestart(t *testing.T) {
	dir := t.TempDir()
	port := freePort(t)
	opts := []kfake.Opt{kfake.Ports(port), kfake.DataDir(dir), kfake.SyncWrites()}
	c := newCluster(t, opts...)
	addrs := c.ListenAddrs()
	p := newProducer(t, addrs)
	p.sendBatch(1, 200, func(int) int32 { return 0 })
	p.close()

	s := openSource(t, addrs, nil)
	r := openReader(t, s, "0", nil)
	got := readIDs(t, r, 150, 50)

	c.Close()
	deadline := time.Now().Add(10 * time.Second)
	var rest []int64
	for !strings.HasPrefix(r.State(), "retrying: ") {
		if time.Now().After(deadline) {
			t.Fatalf("state = %q after the broker stopped", r.State())
		}
		start := time.Now()
		if _, err := r.Read(context.Background(), 100, func(row types.Row) { rest = append(rest, row[0].I) }); err != nil {
			t.Fatal(err)
		}
		if el := time.Since(start); el > 500*time.Millisecond {
			t.Fatalf("Read took %v while the broker is down", el)
		}
		time.Sleep(5 * time.Millisecond)
	}
	if !strings.Contains(s.State(), "partition 0 retrying: ") {
		t.Errorf("source state = %q", s.State())
	}
	// A split opened while the brokers are down opens anyway, promptly,
	// and resolves its startup offset once they are back.
	start := time.Now()
	r1 := openReader(t, s, "1", nil)
	if el := time.Since(start); el > 5*time.Second {
		t.Errorf("Open took %v with the broker down", el)
	}
	if !strings.HasPrefix(r1.State(), "retrying: ") || r1.Position() != nil {
		t.Errorf("reader opened while down: state %q, position %v", r1.State(), r1.Position())
	}
	// Down for a while: several attempts, each Read still prompt.
	for range 10 {
		start := time.Now()
		if _, err := r.Read(context.Background(), 100, func(row types.Row) { rest = append(rest, row[0].I) }); err != nil {
			t.Fatal(err)
		}
		if el := time.Since(start); el > 500*time.Millisecond {
			t.Fatalf("Read took %v while the broker is down", el)
		}
		time.Sleep(50 * time.Millisecond)
	}

	c2 := newCluster(t, opts...)
	p2 := newProducer(t, c2.ListenAddrs())
	p2.sendBatch(201, 300, func(int) int32 { return 0 })
	got = append(got, rest...)
	got = append(got, readIDs(t, r, 300-len(got), 64)...)
	equalIDs(t, got, seq(1, 300))
	expectIdle(t, r)
	if st := r.State(); st != stateConnected {
		t.Errorf("state = %q after the broker came back", st)
	}
	p2.sendBatch(301, 302, func(int) int32 { return 1 })
	equalIDs(t, readIDs(t, r1, 2, 10), []int64{301, 302})
	if st, pos := r1.State(), r1.Position(); st != stateConnected || beUint64(pos) != 2 {
		t.Errorf("reader opened while down: state %q, position %v", st, pos)
	}
	if st := s.State(); st != stateConnected {
		t.Errorf("source state = %q", st)
	}
}

func TestPartitionDiscovery(t *testing.T) {
	c := newCluster(t)
	s := openSource(t, c.ListenAddrs(), map[string]string{"scan.topic-partition-discovery.interval": "0"})
	splits, err := s.Splits(context.Background(), 1)
	if err != nil || len(splits) != 4 {
		t.Fatalf("splits = %v, %v", splits, err)
	}

	admin, err := sarama.NewClusterAdmin(c.ListenAddrs(), sarama.NewConfig())
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = admin.Close() }()
	if err := admin.CreatePartitions(topic, 6, nil, false); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for len(splits) != 6 {
		if time.Now().After(deadline) {
			t.Fatalf("splits = %v after adding partitions", splits)
		}
		time.Sleep(20 * time.Millisecond)
		if splits, err = s.Splits(context.Background(), 1); err != nil {
			t.Fatal(err)
		}
	}
	if strings.Join(splits, ",") != "0,1,2,3,4,5" {
		t.Fatalf("splits = %v", splits)
	}
	p := newProducer(t, c.ListenAddrs())
	p.send(5, tweet(55))
	r := openReader(t, s, "5", nil)
	equalIDs(t, readIDs(t, r, 1, 10), []int64{55})

	// Discovery is cached for the interval: a long interval does not ask
	// the brokers again.
	s2 := openSource(t, c.ListenAddrs(), map[string]string{"scan.topic-partition-discovery.interval": "1h"})
	if err := admin.CreatePartitions(topic, 7, nil, false); err != nil {
		t.Fatal(err)
	}
	if splits, _ := s2.Splits(context.Background(), 1); len(splits) != 6 {
		t.Errorf("cached splits = %v", splits)
	}
}

func TestOpenErrors(t *testing.T) {
	c := newCluster(t)
	s := openSource(t, c.ListenAddrs(), nil)
	for _, tc := range []struct {
		split string
		pos   []byte
	}{{"x", nil}, {"-1", nil}, {"0", []byte{1, 2, 3}}} {
		if r, err := s.Open(context.Background(), tc.split, tc.pos); err == nil {
			_ = r.Close()
			t.Errorf("Open(%q, %v) succeeded", tc.split, tc.pos)
		}
	}
}

// TestCloseSourceClosesReaders checks that readers left open do not leak
// goroutines past Source.Close (goleak checks at exit).
func TestCloseSourceClosesReaders(t *testing.T) {
	c := newCluster(t)
	o := map[string]string{"properties.bootstrap.server": c.ListenAddrs()[0]}
	src, err := New(context.Background(), tweetRel(o), connector.Env{})
	if err != nil {
		t.Fatal(err)
	}
	for _, sp := range []string{"0", "1"} {
		if _, err := src.Open(context.Background(), sp, nil); err != nil {
			t.Fatal(err)
		}
	}
	if err := src.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := src.Open(context.Background(), "0", nil); err == nil {
		t.Error("Open after Close succeeded")
	}
}

func TestReadHonoursContext(t *testing.T) {
	c := newCluster(t)
	s := openSource(t, c.ListenAddrs(), nil)
	r := openReader(t, s, "0", nil)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := r.Read(ctx, 10, func(types.Row) {}); err != context.Canceled {
		t.Errorf("Read with a cancelled context = %v", err)
	}
}

// BenchmarkReadKfake measures a reader end to end (sarama fetch, channel
// hand-off, decoding) against the in-process broker; records/s is
// reported.
func BenchmarkReadKfake(b *testing.B) {
	c, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(1, topic))
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	cfg := sarama.NewConfig()
	cfg.Producer.Return.Successes = true
	cfg.Producer.Partitioner = sarama.NewManualPartitioner
	prod, err := sarama.NewSyncProducer(c.ListenAddrs(), cfg)
	if err != nil {
		b.Fatal(err)
	}
	const total = 200000
	for i := 0; i < total; i += 5000 {
		msgs := make([]*sarama.ProducerMessage, 5000)
		for j := range msgs {
			msgs[j] = &sarama.ProducerMessage{Topic: topic, Value: sarama.StringEncoder(tweet(i + j))}
		}
		if err := prod.SendMessages(msgs); err != nil {
			b.Fatal(err)
		}
	}
	_ = prod.Close()
	rel := tweetRel(map[string]string{"brokers": c.ListenAddrs()[0]})
	src, err := New(context.Background(), rel, connector.Env{})
	if err != nil {
		b.Fatal(err)
	}
	defer func() { _ = src.Close() }()
	b.ResetTimer()
	read := 0
	for b.Loop() {
		r, err := src.Open(context.Background(), "0", nil)
		if err != nil {
			b.Fatal(err)
		}
		for n := 0; n < total; {
			k, err := r.Read(context.Background(), 1024, func(types.Row) {})
			if err != nil {
				b.Fatal(err)
			}
			n += k
		}
		read += total
		_ = r.Close()
	}
	b.ReportMetric(float64(read)/b.Elapsed().Seconds(), "records/s")
}

// TestReadersShareAGoroutine reads the four partitions of a topic on one
// goroutine, round robin, as a source subtask of the runtime does, with
// partition 3 empty. A Read that waited for records would cost every
// round the wait on the empty partition (and stall the busy ones, whose
// next fetch waits for all of them to be drained): at 100 rows per Read
// the 30000 records take 100 rounds, 10 s with a 100 ms wait.
func TestReadersShareAGoroutine(t *testing.T) {
	c := newCluster(t)
	p := newProducer(t, c.ListenAddrs())
	const records = 30000
	for from := 1; from <= records; from += 5000 {
		p.sendBatch(from, from+4999, func(i int) int32 { return int32(i % 3) })
	}
	s := openSource(t, c.ListenAddrs(), nil)
	var readers []*Reader
	for _, sp := range []string{"0", "1", "2", "3"} {
		readers = append(readers, openReader(t, s, sp, nil))
	}
	start := time.Now()
	seen := make(map[int64]bool, records)
	rounds := 0
	for len(seen) < records {
		if time.Since(start) > 30*time.Second {
			t.Fatalf("read %d of %d records in 30 s", len(seen), records)
		}
		rounds++
		read := 0
		for _, r := range readers {
			n, err := r.Read(context.Background(), 100, func(row types.Row) { seen[row[0].I] = true })
			if err != nil {
				t.Fatal(err)
			}
			read += n
		}
		if read == 0 {
			time.Sleep(time.Millisecond) // as the runtime pauses
		}
	}
	el := time.Since(start)
	t.Logf("%d records in %v, %d rounds", records, el, rounds)
	if el > 4*time.Second {
		t.Errorf("reading %d records round robin took %v: a Read waits for records", records, el)
	}
}

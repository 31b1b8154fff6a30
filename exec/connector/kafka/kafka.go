// Package kafka is the Kafka source connector (connector = 'kafka'),
// reading JSON records with sarama the way Flink's Kafka source does: the
// runtime owns partition assignment and offsets, so there are no consumer
// groups and nothing is committed to Kafka. Offsets live in checkpoints.
//
// # Splits and positions
//
// A split is a partition, identified by its number ("0", "1", ...). The
// position of a split is the offset of the next record to read (8 bytes,
// big endian): Open with it resumes exactly there, so recovery neither
// loses nor repeats records. Open without a position starts where
// scan.startup.mode says and resolves that to an offset at once, so a
// checkpoint taken before the first record already pins the start. Splits
// re-reads the topic's metadata at most once per discovery interval, so
// the runtime may poll it to pick up partitions added while running.
//
// # Options
//
//	topic                                    required
//	properties.bootstrap.server              host:port[,host:port...]; also
//	                                         properties.bootstrap.servers, brokers
//	scan.startup.mode                        'earliest' (default) | 'latest' | 'timestamp'
//	scan.startup.timestamp.millis            with 'timestamp': the first record at or
//	                                         after this epoch-millis time
//	scan.topic-partition-discovery.interval  how stale Splits may be ('10s' default;
//	                                         a Go duration or milliseconds)
//	format.errors                            'skip' (default) | 'fail'
//	properties.client.id                     default 'streamsqld'
//	properties.isolation.level               'read_committed' (default) | 'read_uncommitted'
//
// Other properties.* keys are accepted and ignored with a warning (they
// are Kafka client settings sarama has no equivalent for here).
//
// # Malformed records
//
// A record that is not a JSON object, or whose values do not convert to
// their columns' types, is skipped, counted (Source.Skipped) and logged
// with its topic, partition and offset, a few per minute at most. Skipped
// records still advance the position. With format.errors = 'fail' Read
// returns an error naming the record instead and stays before it.
//
// # Failures
//
// The factory checks that the brokers answer and the topic exists, with
// short timeouts, so CREATE SOURCE fails fast and clearly. Once running, a
// reader that loses its broker reports "retrying: <error>" (State) and
// reconnects with exponential backoff (100 ms to 5 s) from its position,
// while Read keeps returning at once.
//
// Read never waits for records: it returns what sarama has fetched, or
// nothing (see Reader.Read for why).
package kafka

import (
	"context"
	"errors"
	"log/slog"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/IBM/sarama"

	"streamsqld/catalog"
	"streamsqld/exec/connector"
	"streamsqld/exec/connector/internal/genutil"
	"streamsqld/sql/pgerror"
	"streamsqld/sql/types"
)

// Name is the connector name.
const Name = "kafka"

func init() { connector.Register(Name, New) }

// Option keys.
const (
	optTopic             = "topic"
	optBootstrap         = "properties.bootstrap.server"
	optBootstrapPlural   = "properties.bootstrap.servers"
	optBrokers           = "brokers"
	optStartupMode       = "scan.startup.mode"
	optStartupMillis     = "scan.startup.timestamp.millis"
	optStartupMillisAlt  = "scan.startup.timestamp_millis"
	optDiscoveryInterval = "scan.topic-partition-discovery.interval"
	optFormatErrors      = "format.errors"
	optClientID          = "properties.client.id"
	optIsolation         = "properties.isolation.level"
)

const (
	defaultDiscoveryInterval = 10 * time.Second
	// Connection timeouts are short so that CREATE SOURCE against a wrong
	// address fails within seconds and a reconnecting reader notices a
	// dead broker quickly; fetches long-poll for at most MaxWaitTime.
	dialTimeout      = 2 * time.Second
	ioTimeout        = 10 * time.Second
	metadataRetries  = 1
	metadataBackoff  = 250 * time.Millisecond
	fetchMaxWait     = 500 * time.Millisecond
	maxProcessingGap = time.Second
)

type startMode uint8

const (
	startEarliest startMode = iota
	startLatest
	startTimestamp
)

// endpoint is what a Kafka source and a Kafka sink both name in their
// WITH options.
type endpoint struct {
	topic    string
	brokers  []string
	clientID string
}

// parseEndpoint reads the FORMAT, topic, brokers and client id of rel, a
// kafka source or sink (kind).
func parseEndpoint(kind string, rel *catalog.Relation, o genutil.Options) (endpoint, error) {
	ep := endpoint{clientID: o.String(optClientID, "streamsqld")}
	switch f := strings.ToLower(strings.TrimSpace(rel.Format)); f {
	case "", "json":
	default:
		return ep, pgerror.Newf(pgerror.FeatureNotSupported,
			"kafka %s %q: FORMAT %s is not supported (supported: JSON)", kind, rel.Name, strings.ToUpper(f))
	}
	if ep.topic = o.String(optTopic, ""); ep.topic == "" {
		return ep, pgerror.Newf(pgerror.InvalidParameterValue, "kafka %s %q: option %q is required", kind, rel.Name, optTopic)
	}
	for _, k := range []string{optBootstrap, optBootstrapPlural, optBrokers} {
		if v, ok := o.Get(k); ok {
			for _, b := range strings.Split(v, ",") {
				if b = strings.TrimSpace(b); b != "" {
					ep.brokers = append(ep.brokers, b)
				}
			}
			break
		}
	}
	if len(ep.brokers) == 0 {
		return ep, pgerror.Newf(pgerror.InvalidParameterValue, "kafka %s %q: option %q is required", kind, rel.Name, optBootstrap)
	}
	return ep, nil
}

// clientConfig is the sarama configuration both sources and sinks start
// from.
func (ep *endpoint) clientConfig() *sarama.Config {
	sc := sarama.NewConfig()
	sc.ClientID = ep.clientID
	// kfake and modern brokers need at least 0.11 request versions; 2.8
	// is sarama's default and what it is tested against.
	sc.Version = sarama.V2_8_0_0
	sc.Net.DialTimeout = dialTimeout
	sc.Net.ReadTimeout = ioTimeout
	sc.Net.WriteTimeout = ioTimeout
	sc.Metadata.Retry.Max = metadataRetries
	sc.Metadata.Retry.Backoff = metadataBackoff
	sc.Metadata.Full = false
	// A typo in the topic name must not create a topic.
	sc.Metadata.AllowAutoTopicCreation = false
	return sc
}

// metadataError says why the topic's metadata could not be read at
// CREATE.
func (ep *endpoint) metadataError(err error) *pgerror.Error {
	brokers := strings.Join(ep.brokers, ",")
	switch {
	case errors.Is(err, sarama.ErrUnknownTopicOrPartition):
		return pgerror.Newf(pgerror.UndefinedObject, "Kafka topic %q does not exist", ep.topic)
	case errors.Is(err, sarama.ErrOutOfBrokers):
		// sarama.NewClient does not dial when it has no topic to ask
		// about; the first metadata request is where it shows.
		return pgerror.Newf(pgerror.ConnectionFailure, "cannot reach Kafka brokers %s: %v", brokers, err)
	}
	return pgerror.Newf(pgerror.ConnectionFailure, "cannot read metadata of Kafka topic %q from %s: %v", ep.topic, brokers, err)
}

// config is a source's parsed WITH options.
type config struct {
	endpoint
	mode          startMode
	startMillis   int64
	discovery     time.Duration
	failOnError   bool
	readCommitted bool
}

func parseConfig(rel *catalog.Relation) (config, error) {
	o := genutil.NewOptions(rel.Options)
	c := config{
		discovery:     defaultDiscoveryInterval,
		readCommitted: true,
	}
	var err error
	if c.endpoint, err = parseEndpoint("source", rel, o); err != nil {
		return c, err
	}
	switch m := strings.ToLower(o.String(optStartupMode, "earliest")); m {
	case "earliest", "earliest-offset":
		c.mode = startEarliest
	case "latest", "latest-offset":
		c.mode = startLatest
	case "timestamp":
		c.mode = startTimestamp
	default:
		return c, pgerror.Newf(pgerror.InvalidParameterValue,
			"kafka source %q: unknown %s %q (supported: 'earliest', 'latest', 'timestamp')", rel.Name, optStartupMode, m)
	}
	millisKey := optStartupMillis
	if _, ok := o.Get(optStartupMillis); !ok {
		millisKey = optStartupMillisAlt
	}
	_, hasMillis := o.Get(millisKey)
	if c.mode == startTimestamp {
		if !hasMillis {
			return c, pgerror.Newf(pgerror.InvalidParameterValue,
				"kafka source %q: %s = 'timestamp' requires option %q", rel.Name, optStartupMode, optStartupMillis)
		}
		var err error
		if c.startMillis, err = o.IntRange(millisKey, 0, 0, 1<<53); err != nil {
			return c, err
		}
	} else if hasMillis {
		return c, pgerror.Newf(pgerror.InvalidParameterValue,
			"kafka source %q: option %q needs %s = 'timestamp'", rel.Name, optStartupMillis, optStartupMode)
	}
	if v, ok := o.Get(optDiscoveryInterval); ok {
		d, err := parseInterval(v)
		if err != nil {
			return c, pgerror.Newf(pgerror.InvalidParameterValue,
				"invalid value for option %q: %q is not a duration", optDiscoveryInterval, v)
		}
		c.discovery = d
	}
	switch v := strings.ToLower(o.String(optFormatErrors, "skip")); v {
	case "skip", "ignore":
	case "fail":
		c.failOnError = true
	default:
		return c, pgerror.Newf(pgerror.InvalidParameterValue,
			"kafka source %q: unknown %s %q (supported: 'skip', 'fail')", rel.Name, optFormatErrors, v)
	}
	switch v := strings.ToLower(o.String(optIsolation, "read_committed")); v {
	case "read_committed":
	case "read_uncommitted":
		c.readCommitted = false
	default:
		return c, pgerror.Newf(pgerror.InvalidParameterValue,
			"kafka source %q: unknown %s %q", rel.Name, optIsolation, v)
	}
	var unknown []string
	o.Keys(func(k string) {
		switch k {
		case "connector", optTopic, optBootstrap, optBootstrapPlural, optBrokers, optStartupMode,
			optStartupMillis, optStartupMillisAlt, optDiscoveryInterval, optFormatErrors, optClientID, optIsolation:
			return
		}
		if strings.HasPrefix(k, "properties.") {
			slog.Warn("kafka: ignoring unsupported client property", "source", rel.Name, "property", k)
			return
		}
		if strings.HasPrefix(k, "scan.") || strings.HasPrefix(k, "format.") || strings.HasPrefix(k, "kafka.") {
			unknown = append(unknown, k)
		}
	})
	if len(unknown) > 0 {
		sort.Strings(unknown)
		return c, pgerror.Newf(pgerror.InvalidParameterValue, "kafka source %q: unknown option %q", rel.Name, unknown[0])
	}
	return c, nil
}

// parseInterval reads a Go duration ("30s") or plain milliseconds.
func parseInterval(v string) (time.Duration, error) {
	if ms, err := strconv.ParseInt(v, 10, 64); err == nil && ms >= 0 {
		return time.Duration(ms) * time.Millisecond, nil
	}
	d, err := time.ParseDuration(strings.ReplaceAll(v, " ", ""))
	if err != nil || d < 0 {
		return 0, errors.New("bad duration")
	}
	return d, nil
}

func (c *config) sarama() *sarama.Config {
	sc := c.clientConfig()
	sc.Consumer.Return.Errors = true
	sc.Consumer.MaxWaitTime = fetchMaxWait
	// sarama fetches the next batch only once the previous one is in the
	// channel: a deeper buffer lets the fetch overlap decoding.
	sc.ChannelBufferSize = 1024

	// The runtime may pause between reads (barriers, backpressure); a
	// short MaxProcessingTime would only make sarama refetch.
	sc.Consumer.MaxProcessingTime = maxProcessingGap
	if c.readCommitted {
		sc.Consumer.IsolationLevel = sarama.ReadCommitted
	} else {
		sc.Consumer.IsolationLevel = sarama.ReadUncommitted
	}
	return sc
}

// Source reads one Kafka topic. It is safe for concurrent use; each of its
// readers is used by one goroutine.
type Source struct {
	name     string
	cfg      config
	client   sarama.Client
	consumer sarama.Consumer
	cols     []types.Column

	skipped  atomic.Int64
	skipLogs logLimiter

	splitsMu sync.Mutex
	splits   []int32 // sorted; only grows
	splitsAt time.Time

	mu      sync.Mutex
	readers map[*Reader]struct{}
	closed  bool
}

var (
	_ connector.Source        = (*Source)(nil)
	_ connector.SkipCounter   = (*Source)(nil)
	_ connector.StateReporter = (*Source)(nil)
)

// New is the connector.Factory of kafka: it checks the options, that a
// broker answers and that the topic exists.
func New(_ context.Context, rel *catalog.Relation, _ connector.Env) (connector.Source, error) {
	cfg, err := parseConfig(rel)
	if err != nil {
		return nil, err
	}
	client, err := sarama.NewClient(cfg.brokers, cfg.sarama())
	if err != nil {
		return nil, pgerror.Newf(pgerror.ConnectionFailure,
			"cannot reach Kafka brokers %s: %v", strings.Join(cfg.brokers, ","), err)
	}
	s := &Source{
		name:    rel.Name,
		cfg:     cfg,
		client:  client,
		cols:    rel.Columns,
		readers: map[*Reader]struct{}{},
	}
	if _, err := s.refreshSplits(); err != nil {
		_ = client.Close()
		return nil, cfg.metadataError(err)
	}
	if s.consumer, err = sarama.NewConsumerFromClient(client); err != nil {
		_ = client.Close()
		return nil, pgerror.Wrap(err, pgerror.InternalError)
	}
	return s, nil
}

// Splits returns the topic's partition numbers. Metadata is re-read at
// most once per discovery interval; when the brokers are unreachable the
// last known list is returned, since partitions never disappear.
func (s *Source) Splits(context.Context, int) ([]string, error) {
	s.splitsMu.Lock()
	defer s.splitsMu.Unlock()
	parts := s.splits
	if parts == nil || time.Since(s.splitsAt) >= s.cfg.discovery {
		var err error
		if parts, err = s.refreshSplitsLocked(); err != nil {
			if s.splits == nil {
				return nil, err
			}
			slog.Warn("kafka: partition discovery failed", "source", s.name, "topic", s.cfg.topic, "error", err)
			parts = s.splits
		}
	}
	out := make([]string, len(parts))
	for i, p := range parts {
		out[i] = strconv.Itoa(int(p))
	}
	return out, nil
}

func (s *Source) refreshSplits() ([]int32, error) {
	s.splitsMu.Lock()
	defer s.splitsMu.Unlock()
	return s.refreshSplitsLocked()
}

func (s *Source) refreshSplitsLocked() ([]int32, error) {
	// Stamp the attempt, not the success: a dead cluster is then asked
	// once per interval, not on every poll.
	s.splitsAt = time.Now()
	if err := s.client.RefreshMetadata(s.cfg.topic); err != nil {
		return nil, err
	}
	parts, err := s.client.Partitions(s.cfg.topic)
	if err != nil {
		return nil, err
	}
	if len(parts) == 0 {
		return nil, sarama.ErrUnknownTopicOrPartition
	}
	merged := append(slices.Clone(s.splits), parts...)
	slices.Sort(merged)
	s.splits = slices.Compact(merged)
	return s.splits, nil
}

// Open returns a reader of the partition split from pos (nil: where
// scan.startup.mode says). When the brokers cannot be reached the reader
// is returned anyway and keeps reconnecting from Read.
func (s *Source) Open(_ context.Context, split string, pos []byte) (connector.Reader, error) {
	p, err := strconv.ParseInt(split, 10, 32)
	if err != nil || p < 0 {
		return nil, pgerror.Newf(pgerror.InvalidParameterValue, "kafka source %q: invalid split %q", s.name, split)
	}
	next := int64(-1)
	switch len(pos) {
	case 0:
	case 8:
		next = int64(beUint64(pos))
		if next < 0 {
			return nil, pgerror.Newf(pgerror.InvalidParameterValue, "kafka source %q: invalid position", s.name)
		}
	default:
		return nil, pgerror.Newf(pgerror.InvalidParameterValue,
			"kafka source %q: invalid position of %d bytes", s.name, len(pos))
	}
	r := newReader(s, int32(p), next)
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil, pgerror.Newf(pgerror.ObjectNotInPrerequisiteState, "kafka source %q is closed", s.name)
	}
	for o := range s.readers {
		// sarama consumes a partition once per consumer, and two readers
		// of one split would be a runtime bug anyway.
		if o.partition == r.partition {
			s.mu.Unlock()
			return nil, pgerror.Newf(pgerror.ObjectNotInPrerequisiteState,
				"kafka source %q: split %s is already open", s.name, split)
		}
	}
	s.readers[r] = struct{}{}
	s.mu.Unlock()
	r.start()
	return r, nil
}

// Skipped is the number of malformed records skipped since the source was
// created.
func (s *Source) Skipped() int64 { return s.skipped.Load() }

// State is "connected" when every open reader is, or the state of the
// first one that is not, prefixed with its partition.
func (s *Source) State() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var worst *Reader
	for r := range s.readers {
		if r.State() != stateConnected && (worst == nil || r.partition < worst.partition) {
			worst = r
		}
	}
	if worst == nil {
		return stateConnected
	}
	return "partition " + strconv.Itoa(int(worst.partition)) + " " + worst.State()
}

// Close closes the readers still open (the runtime normally closes them
// first) and the Kafka client.
func (s *Source) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	open := make([]*Reader, 0, len(s.readers))
	for r := range s.readers {
		open = append(open, r)
	}
	s.mu.Unlock()
	for _, r := range open {
		_ = r.Close()
	}
	err := s.consumer.Close()
	if cerr := s.client.Close(); err == nil {
		err = cerr
	}
	return err
}

func (s *Source) forget(r *Reader) {
	s.mu.Lock()
	delete(s.readers, r)
	s.mu.Unlock()
}

// startOffset resolves scan.startup.mode for a partition.
func (s *Source) startOffset(partition int32) (int64, error) {
	switch s.cfg.mode {
	case startLatest:
		return s.client.GetOffset(s.cfg.topic, partition, sarama.OffsetNewest)
	case startTimestamp:
		off, err := s.client.GetOffset(s.cfg.topic, partition, s.cfg.startMillis)
		if err != nil {
			return 0, err
		}
		if off >= 0 {
			return off, nil
		}
		// No record at or after the time yet: start at the end.
		return s.client.GetOffset(s.cfg.topic, partition, sarama.OffsetNewest)
	}
	return s.client.GetOffset(s.cfg.topic, partition, sarama.OffsetOldest)
}

// skip accounts for a malformed record.
func (s *Source) skip(partition int32, offset int64, err error) {
	s.skipped.Add(1)
	if ok, suppressed := s.skipLogs.allow(time.Now()); ok {
		if suppressed > 0 {
			slog.Warn("kafka: malformed records were skipped without being logged",
				"source", s.name, "topic", s.cfg.topic, "count", suppressed)
		}
		slog.Warn("kafka: skipped malformed record", "source", s.name, "topic", s.cfg.topic,
			"partition", partition, "offset", offset, "error", err)
	}
}

// logLimiter lets the first few events of each minute through.
type logLimiter struct {
	mu         sync.Mutex
	window     time.Time
	n          int
	suppressed int
}

const logsPerMinute = 5

// allow reports whether to log now and, at the first log of a window, how
// many events the previous windows suppressed.
func (l *logLimiter) allow(now time.Time) (bool, int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if now.Sub(l.window) >= time.Minute {
		l.window, l.n = now, 0
	}
	if l.n >= logsPerMinute {
		l.suppressed++
		return false, 0
	}
	l.n++
	sup := l.suppressed
	l.suppressed = 0
	return true, sup
}

package kafka

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/IBM/sarama"

	"streamsqld/catalog"
	"streamsqld/exec/connector"
	"streamsqld/exec/connector/internal/genutil"
	"streamsqld/sql/pgerror"
)

// The Kafka sink (CREATE SINK ... WITH (connector = 'kafka')) writes each
// checkpoint epoch of a sink subtask in one Kafka transaction, which also
// commits the epoch number as the offset of partition 0 of the topic for
// the subtask's consumer group: the group's offset says which epochs
// Kafka holds, atomically with their records. After a crash the runtime
// reads it (Delivered) and delivers only the later epochs, so a consumer
// with isolation.level = read_committed sees each record once.
//
// Each subtask has its own transactional id and group,
// streamsqld-sink-<sink>-<subtask> where <sink> is the sink's name and
// incarnation (the option sink.id the server sets), so a restarted
// subtask fences the transaction its previous run left open and a sink
// created again under the same name starts afresh.
//
// Options: topic, properties.bootstrap.server (or brokers),
// properties.client.id; type and primary_key are the planner's.

// OptSinkID is the option holding a sink's incarnation, set by the server
// when it creates the sink.
const OptSinkID = "sink.id"

// sendBatch is how many records one SendMessages call sends.
const sendBatch = 4096

func init() { connector.RegisterSink(Name, NewSink) }

type sinkConfig struct {
	endpoint
	id string
}

func parseSinkConfig(rel *catalog.Relation) (sinkConfig, error) {
	o := genutil.NewOptions(rel.Options)
	var c sinkConfig
	var err error
	if c.endpoint, err = parseEndpoint("sink", rel, o); err != nil {
		return c, err
	}
	c.id = rel.Name
	if id := o.String(OptSinkID, ""); id != "" {
		c.id += "-" + id
	}
	return c, nil
}

// Sink writes a topic.
type Sink struct {
	cfg    sinkConfig
	client sarama.Client // metadata checks and the groups' offsets
	admin  sarama.ClusterAdmin

	mu      sync.Mutex
	writers map[*sinkWriter]struct{}
}

var _ connector.Sink = (*Sink)(nil)

// NewSink is the connector.SinkFactory of kafka: it checks the options,
// that a broker answers and that the topic exists.
func NewSink(_ context.Context, rel *catalog.Relation) (connector.Sink, error) {
	cfg, err := parseSinkConfig(rel)
	if err != nil {
		return nil, err
	}
	client, err := sarama.NewClient(cfg.brokers, cfg.clientConfig())
	if err != nil {
		return nil, pgerror.Newf(pgerror.ConnectionFailure, "cannot reach Kafka brokers %s: %v", strings.Join(cfg.brokers, ","), err)
	}
	if _, err := client.Partitions(cfg.topic); err != nil {
		_ = client.Close()
		perr := cfg.metadataError(err)
		if errors.Is(err, sarama.ErrUnknownTopicOrPartition) {
			perr = perr.WithHint("Create the topic before the sink.")
		}
		return nil, perr
	}
	admin, err := sarama.NewClusterAdminFromClient(client)
	if err != nil {
		_ = client.Close()
		return nil, pgerror.Wrap(err, pgerror.InternalError)
	}
	return &Sink{cfg: cfg, client: client, admin: admin, writers: map[*sinkWriter]struct{}{}}, nil
}

// Writer returns the transactional writer of subtask.
func (s *Sink) Writer(_ context.Context, subtask, _ int) (connector.SinkWriter, error) {
	w := &sinkWriter{sink: s, id: fmt.Sprintf("streamsqld-sink-%s-%d", s.cfg.id, subtask)}
	if err := w.open(); err != nil {
		return nil, err
	}
	s.mu.Lock()
	s.writers[w] = struct{}{}
	s.mu.Unlock()
	return w, nil
}

// Close closes the writers and the client.
func (s *Sink) Close() error {
	s.mu.Lock()
	ws := s.writers
	s.writers = map[*sinkWriter]struct{}{}
	s.mu.Unlock()
	var errs []error
	for w := range ws {
		errs = append(errs, w.closeProducer())
	}
	errs = append(errs, s.admin.Close()) // closes the client too
	return errors.Join(errs...)
}

// sinkWriter is one subtask's transactional producer; its transactional
// id is also its consumer group.
type sinkWriter struct {
	sink     *Sink
	id       string
	producer sarama.SyncProducer // nil after a failure, until reopened
}

// open creates the producer; creating it registers the transactional id
// with the broker, which aborts a transaction left open under the id.
func (w *sinkWriter) open() error {
	sc := w.sink.cfg.clientConfig()
	sc.Producer.Idempotent = true
	sc.Producer.RequiredAcks = sarama.WaitForAll
	sc.Producer.Return.Successes = true
	// Few retries: the runtime retries a failed epoch with backoff, and a
	// Deliver stuck in sarama's retries would hold up DROP SINK (sarama's
	// default retries a transactional request 50 times).
	sc.Producer.Retry.Max = 3
	sc.Producer.Transaction.Retry.Max = 3
	sc.Producer.Transaction.Retry.Backoff = 200 * time.Millisecond
	sc.Producer.Transaction.ID = w.id
	sc.Net.MaxOpenRequests = 1
	p, err := sarama.NewSyncProducer(w.sink.cfg.brokers, sc)
	if err != nil {
		return pgerror.Newf(pgerror.ConnectionFailure, "kafka sink: transactional producer %s: %v", w.id, err)
	}
	w.producer = p
	return nil
}

// Delivered reads the epoch the group's offset records. The producer is
// (re)opened first: registering the transactional id completes or aborts
// a transaction of a previous attempt, so the offset read is final.
// Kafka answers offset -1 for a group that never committed; some brokers
// (kfake) say the group does not exist.
func (w *sinkWriter) Delivered(context.Context) (uint64, error) {
	if w.producer == nil {
		if err := w.open(); err != nil {
			return 0, err
		}
	}
	topic := w.sink.cfg.topic
	resp, err := w.sink.admin.ListConsumerGroupOffsets(w.id, map[string][]int32{topic: {0}})
	if errors.Is(err, sarama.ErrGroupIDNotFound) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	switch resp.Err {
	case sarama.ErrNoError:
	case sarama.ErrGroupIDNotFound:
		return 0, nil
	default:
		return 0, resp.Err
	}
	b := resp.GetBlock(topic, 0)
	if b == nil || b.Offset < 0 {
		return 0, nil
	}
	if b.Err != sarama.ErrNoError {
		return 0, b.Err
	}
	return uint64(b.Offset), nil
}

// Deliver writes msgs and epoch's offset in one transaction. On failure
// the producer is dropped: whether the transaction committed (a commit
// whose answer was lost) or not, reopening it in Delivered settles the
// transaction before the runtime reads which epoch Kafka holds.
func (w *sinkWriter) Deliver(_ context.Context, epoch uint64, msgs []connector.SinkMessage) error {
	if w.producer == nil {
		if err := w.open(); err != nil {
			return err
		}
	}
	err := w.deliver(epoch, msgs)
	if err != nil {
		_ = w.closeProducer()
	}
	return err
}

func (w *sinkWriter) deliver(epoch uint64, msgs []connector.SinkMessage) error {
	p, topic := w.producer, w.sink.cfg.topic
	if err := p.BeginTxn(); err != nil {
		return err
	}
	batch := make([]*sarama.ProducerMessage, 0, min(len(msgs), sendBatch))
	for len(msgs) > 0 {
		n := min(len(msgs), sendBatch)
		batch = batch[:0]
		for _, m := range msgs[:n] {
			pm := &sarama.ProducerMessage{Topic: topic}
			if m.Key != nil {
				pm.Key = sarama.ByteEncoder(m.Key)
			}
			if m.Value != nil {
				pm.Value = sarama.ByteEncoder(m.Value)
			}
			batch = append(batch, pm)
		}
		if err := p.SendMessages(batch); err != nil {
			return err
		}
		msgs = msgs[n:]
	}
	offsets := map[string][]*sarama.PartitionOffsetMetadata{topic: {{Partition: 0, Offset: int64(epoch)}}}
	if err := p.AddOffsetsToTxn(offsets, w.id); err != nil {
		return err
	}
	return p.CommitTxn()
}

func (w *sinkWriter) closeProducer() error {
	if w.producer == nil {
		return nil
	}
	err := w.producer.Close()
	w.producer = nil
	return err
}

// Close closes the producer.
func (w *sinkWriter) Close() error {
	w.sink.mu.Lock()
	delete(w.sink.writers, w)
	w.sink.mu.Unlock()
	return w.closeProducer()
}

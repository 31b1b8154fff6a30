package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"runtime"
	"time"
	"io"

	"streamsqld/server"
	"streamsqld/wire"
)

func main() {
	ctx := context.Background()
	dir, _ := os.MkdirTemp("", "bench")
	defer os.RemoveAll(dir)
	eng, err := server.Open(ctx, server.Config{DataDir: dir, Parallelism: 1, CheckpointInterval: time.Second, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil { panic(err) }
	defer eng.Close()
	s, err := eng.Connect(ctx, map[string]string{"user": "bench", "database": "streamsql"}, wire.BackendKey{ProcessID: 1})
	if err != nil { panic(err) }
	run := func(q string) {
		sts, err := s.Prepare(ctx, q, nil)
		if err != nil { panic(err) }
		for _, st := range sts {
			r, err := s.Execute(ctx, st, nil)
			if err != nil { panic(err) }
			if r.Rows != nil {
				for {
					row, err := r.Rows.Next(ctx)
					if err != nil { panic(err) }
					if row == nil { break }
					fmt.Println(row)
				}
				r.Rows.Close()
			}
		}
	}
	run(`CREATE SOURCE bid (auction BIGINT, bidder BIGINT, price BIGINT, channel VARCHAR, url VARCHAR, date_time TIMESTAMP, extra VARCHAR, WATERMARK FOR date_time AS date_time - INTERVAL '4' SECOND) WITH (connector = 'nexmark', nexmark.table.type = 'Bid', nexmark.event.num = '` + os.Args[1] + `')`)
	t0 := time.Now()
	run(os.Args[2])
	fmt.Println("create took", time.Since(t0))
	run(`SHOW JOBS`)
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	fmt.Println("heapinuse MiB", ms.HeapInuse>>20)
}

package tablelog

import (
	"testing"

	"streamsqld/sql/types"
	"streamsqld/storage"
)

func TestStorageLog(t *testing.T) {
	db, err := storage.Open(t.TempDir(), storage.Options{NoSync: true, GCInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if err := db.Close(); err != nil {
			t.Error(err)
		}
	}()
	testLog(t, db, func(id uint32, rows ...types.Row) {
		if _, _, err := db.AppendTableRows(id, rows); err != nil {
			t.Fatal(err)
		}
	})
}

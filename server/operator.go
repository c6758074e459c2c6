package server

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/hwagent/hwagent/server/api"
	"github.com/hwagent/hwagent/server/store"
)

// Page sizes of the machine list.
const (
	defaultPage = 1000
	maxPage     = 10000
)

// handleList: GET /v1/machines with filters.
func (s *Server) handleList(w http.ResponseWriter, r *http.Request) {
	f, err := parseFilter(r.URL.Query())
	if err != nil {
		writeError(w, http.StatusBadRequest, api.CodeInvalidBody, err.Error())
		return
	}
	limit := f.Limit
	f.Limit++ // one more tells whether there is a next page
	ms, err := s.cfg.Store.List(r.Context(), f)
	if err != nil {
		s.storeError(w, r, err)
		return
	}
	out := api.MachineList{Machines: ms}
	if len(ms) > limit {
		out.Machines = ms[:limit]
		out.Next = ms[limit-1].ID
	}
	writeJSON(w, http.StatusOK, out)
}

// parseFilter reads the list's query parameters; unknown ones are errors,
// like unknown JSON fields.
func parseFilter(q url.Values) (store.Filter, error) {
	f := store.Filter{Limit: defaultPage}
	for k, v := range q {
		if len(v) != 1 {
			return f, fmt.Errorf("query parameter %s: given %d times", k, len(v))
		}
		val := v[0]
		var err error
		switch k {
		case api.QueryVendor:
			f.Vendor = val
		case api.QueryProduct:
			f.Product = val
		case api.QueryState:
			f.State = val
		case api.QuerySwitch:
			f.Switch = val
		case api.QueryAfter:
			f.After = val
		case api.QuerySeenSince:
			f.SeenSince, err = time.Parse(time.RFC3339Nano, val)
		case api.QuerySeenBefore:
			f.SeenBefore, err = time.Parse(time.RFC3339Nano, val)
		case api.QueryLimit:
			f.Limit, err = strconv.Atoi(val)
			if err == nil && (f.Limit < 1 || f.Limit > maxPage) {
				err = fmt.Errorf("want 1-%d", maxPage)
			}
		default:
			return f, fmt.Errorf("unknown query parameter %q", k)
		}
		if err != nil {
			return f, fmt.Errorf("query parameter %s=%q: %w", k, val, err)
		}
	}
	return f, nil
}

// handleShow: GET /v1/machines/{id}.
func (s *Server) handleShow(w http.ResponseWriter, r *http.Request) {
	if !onlyParams(w, r) {
		return
	}
	info(r).machine = r.PathValue("id")
	m, err := s.cfg.Store.Get(r.Context(), r.PathValue("id"))
	if err != nil {
		s.storeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, m)
}

// handleHistory: GET /v1/machines/{id}/history?limit=&after=.
func (s *Server) handleHistory(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	info(r).machine = id
	if !onlyParams(w, r, api.QueryLimit, api.QueryAfter) {
		return
	}
	q := r.URL.Query()
	limit := defaultPage
	if v := q.Get(api.QueryLimit); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > maxPage {
			writeError(w, http.StatusBadRequest, api.CodeInvalidBody, fmt.Sprintf("query parameter limit=%q: want 1-%d", v, maxPage))
			return
		}
		limit = n
	}
	changes, next, err := s.cfg.Store.HistoryPage(r.Context(), id, q.Get(api.QueryAfter), limit)
	if errors.Is(err, store.ErrBadCursor) {
		writeError(w, http.StatusBadRequest, api.CodeInvalidBody, fmt.Sprintf("query parameter after=%q: not the next of an earlier page", q.Get(api.QueryAfter)))
		return
	}
	if err != nil {
		s.storeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, api.History{MachineID: id, Changes: changes, Next: next})
}

// handleAction: PUT /v1/machines/{id}/action.
func (s *Server) handleAction(w http.ResponseWriter, r *http.Request) {
	if !onlyParams(w, r) {
		return
	}
	id := r.PathValue("id")
	info(r).machine = id
	var req api.ActionRequest
	if err := decodeStrict(http.MaxBytesReader(w, r.Body, s.cfg.MaxBodyBytes+1), s.cfg.MaxBodyBytes, &req); err != nil {
		s.bodyError(w, err)
		return
	}
	if !api.ValidAction(req.Action) {
		writeError(w, http.StatusBadRequest, api.CodeInvalidAction,
			fmt.Sprintf("action %q: want none, send_inventory, reboot, poweroff, release or rotate_bmc_password", req.Action))
		return
	}
	if req.Action == api.ActionRotateBMCPassword && s.cfg.BMC == nil {
		writeError(w, http.StatusConflict, api.CodeConflict, "this server has no BMC credentials policy (serve --bmc-user): there is no BMC password to rotate")
		return
	}
	if err := s.cfg.Store.SetAction(r.Context(), id, req.Action, s.cfg.Now()); err != nil {
		s.storeError(w, r, err)
		return
	}
	s.log(r).Info("pending action set", "machine_id", id, "action", req.Action)
	m, err := s.cfg.Store.Get(r.Context(), id)
	if errors.Is(err, store.ErrNotFound) {
		// Deleted right after; the action was set all the same.
		w.WriteHeader(http.StatusNoContent)
		return
	}
	if err != nil {
		s.storeError(w, r, err)
		return
	}
	m.Inventory = nil
	writeJSON(w, http.StatusOK, m)
}

// handleDelete: DELETE /v1/machines/{id}.
func (s *Server) handleDelete(w http.ResponseWriter, r *http.Request) {
	if !onlyParams(w, r) {
		return
	}
	id := r.PathValue("id")
	info(r).machine = id
	if err := s.cfg.Store.Delete(r.Context(), id); err != nil {
		s.storeError(w, r, err)
		return
	}
	s.log(r).Info("machine deleted", "machine_id", id)
	w.WriteHeader(http.StatusNoContent)
}

// handleApprove: POST /v1/machines/{id}/approve, the held registration
// takes the machine over.
func (s *Server) handleApprove(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	info(r).machine = id
	var req api.ApprovalRequest
	if err := decodeOptional(w, r, s.cfg.MaxBodyBytes, &req); err != nil {
		s.bodyError(w, err)
		return
	}
	pid, err := s.cfg.Store.Approve(r.Context(), id, req.PendingID, s.cfg.Now())
	if err != nil {
		s.storeError(w, r, err)
		return
	}
	s.log(r).Warn("held registration approved: the machine's credential rotated", "machine_id", id, "pending_id", pid)
	s.answerMachine(w, r, id)
}

// handleReject: POST /v1/machines/{id}/reject drops held registrations.
func (s *Server) handleReject(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	info(r).machine = id
	var req api.ApprovalRequest
	if err := decodeOptional(w, r, s.cfg.MaxBodyBytes, &req); err != nil {
		s.bodyError(w, err)
		return
	}
	if err := s.cfg.Store.Reject(r.Context(), id, req.PendingID, s.cfg.Now()); err != nil {
		s.storeError(w, r, err)
		return
	}
	s.log(r).Info("held registration rejected", "machine_id", id, "pending_id", req.PendingID)
	s.answerMachine(w, r, id)
}

// answerMachine answers the machine without its inventory.
func (s *Server) answerMachine(w http.ResponseWriter, r *http.Request, id string) {
	m, err := s.cfg.Store.Get(r.Context(), id)
	if err != nil {
		s.storeError(w, r, err)
		return
	}
	m.Inventory = nil
	writeJSON(w, http.StatusOK, m)
}

// handleConflicts: GET /v1/conflicts.
func (s *Server) handleConflicts(w http.ResponseWriter, r *http.Request) {
	if len(r.URL.Query()) > 0 {
		writeError(w, http.StatusBadRequest, api.CodeInvalidBody, "GET /v1/conflicts takes no query parameters")
		return
	}
	cs, err := s.cfg.Store.Conflicts(r.Context())
	if err != nil {
		s.storeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, api.ConflictList{Conflicts: cs})
}

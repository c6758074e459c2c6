package sqlstore

// migrations are the schema versions, oldest first; version N is
// migrations[N-1]. Never edit a released entry: append a new one.
//
// Times are Unix microseconds (UTC) in BIGINT columns in both databases.
// The inventory sits in its own table so that check-ins, which rewrite the
// machines row, never rewrite the 20–50 KB document.
var sqliteMigrations = [][]string{
	{
		`CREATE TABLE machines (
			id TEXT PRIMARY KEY,
			state TEXT NOT NULL,
			first_seen INTEGER NOT NULL,
			last_seen INTEGER NOT NULL,
			pending_action TEXT NOT NULL DEFAULT '',
			credential_hash TEXT NOT NULL UNIQUE,
			inventory_digest TEXT NOT NULL,
			manufacturer TEXT NOT NULL DEFAULT '',
			product TEXT NOT NULL DEFAULT '',
			serial TEXT NOT NULL DEFAULT '',
			bmc_ip TEXT NOT NULL DEFAULT '',
			hostname TEXT NOT NULL DEFAULT '',
			worker_id TEXT NOT NULL DEFAULT '',
			hw_addr TEXT NOT NULL DEFAULT '',
			switches TEXT NOT NULL DEFAULT '[]',
			agent_version TEXT NOT NULL DEFAULT '',
			uptime_seconds REAL NOT NULL DEFAULT 0
		)`,
		`CREATE INDEX machines_state ON machines (state)`,
		`CREATE INDEX machines_last_seen ON machines (last_seen)`,
		`CREATE TABLE machine_inventories (
			machine_id TEXT PRIMARY KEY REFERENCES machines (id) ON DELETE CASCADE,
			inventory TEXT NOT NULL
		)`,
		`CREATE TABLE machine_keys (
			key TEXT PRIMARY KEY,
			machine_id TEXT NOT NULL REFERENCES machines (id) ON DELETE CASCADE
		)`,
		`CREATE INDEX machine_keys_machine ON machine_keys (machine_id)`,
		`CREATE TABLE machine_neighbours (
			machine_id TEXT NOT NULL REFERENCES machines (id) ON DELETE CASCADE,
			interface TEXT NOT NULL,
			switch TEXT NOT NULL,
			chassis_id TEXT NOT NULL,
			port TEXT NOT NULL
		)`,
		`CREATE INDEX machine_neighbours_machine ON machine_neighbours (machine_id)`,
		`CREATE INDEX machine_neighbours_switch ON machine_neighbours (switch)`,
		`CREATE INDEX machine_neighbours_chassis ON machine_neighbours (chassis_id)`,
		`CREATE TABLE machine_history (
			id INTEGER PRIMARY KEY,
			machine_id TEXT NOT NULL REFERENCES machines (id) ON DELETE CASCADE,
			at INTEGER NOT NULL,
			kind TEXT NOT NULL,
			details TEXT NOT NULL
		)`,
		`CREATE INDEX machine_history_machine ON machine_history (machine_id, id)`,
	},
	// 2: action IDs (issue 11): an operator's action stays pending until
	// the agent acknowledged its ID; acked_action_id is the last one
	// acknowledged, so that a repeated acknowledgement (its answer was
	// lost) is still confirmed. Actions pending at the upgrade get an ID.
	{
		`ALTER TABLE machines ADD COLUMN pending_action_id TEXT NOT NULL DEFAULT ''`,
		`ALTER TABLE machines ADD COLUMN acked_action_id TEXT NOT NULL DEFAULT ''`,
		`UPDATE machines SET pending_action_id = 'a-' || lower(hex(randomblob(8))) WHERE pending_action <> ''`,
	},
	// 3: machine identity (issue 10).
	identityMigration("INTEGER", "TEXT"),
	// 4: the Kubernetes outbox (store.KubeOutbox).
	kubeMigration("INTEGER"),
	// 5: BMC credentials (issue 13).
	bmcMigration(),
	// 6: TPM credential challenges (server/tpmverify).
	tpmMigration("INTEGER"),
	// 7: pool addresses handed out for Kubernetes (store.KubeOutbox).
	kubeAddressMigration(),
	// 8: Hardware names claimed for Kubernetes (store.KubeOutbox).
	kubeNameMigration(),
	// 9: every reason an identity conflict was met for.
	conflictReasonsMigration(),
	// 10: the IDs of deleted machines (Store.newID).
	retiredMachinesMigration("INTEGER"),
	// 11: TPM challenges sent again while outstanding (server/tpmverify).
	tpmChallengeReuseMigration(),
	// 12: who reports a BMC address (Store.MachinesWithBMCIP).
	bmcAddressIndexMigration(),
	// 13: PostgreSQL's inventories as text (inventoryTextMigration);
	// SQLite's always were.
	{`SELECT 1`},
}

// identityMigration adds what machine identity needs (docs/protocol.md,
// "Identity" and "Re-enrolment"): the identity a machine was matched by
// (JSON of inventory.Identity; empty for machines registered before, read
// from their inventory), what re-enrolment policies pinned on it,
// registrations held for approval, and identity conflicts between two
// machines (machine_a < machine_b).
func identityMigration(bigint, json string) []string {
	return []string{
		`ALTER TABLE machines ADD COLUMN identity TEXT NOT NULL DEFAULT ''`,
		`CREATE TABLE machine_pins (
			machine_id TEXT NOT NULL REFERENCES machines (id) ON DELETE CASCADE,
			name TEXT NOT NULL,
			value TEXT NOT NULL,
			PRIMARY KEY (machine_id, name)
		)`,
		`CREATE TABLE machine_pending (
			id TEXT PRIMARY KEY,
			machine_id TEXT NOT NULL REFERENCES machines (id) ON DELETE CASCADE,
			credential_hash TEXT NOT NULL UNIQUE,
			peer TEXT NOT NULL,
			requested_at ` + bigint + ` NOT NULL,
			reason TEXT NOT NULL,
			inventory ` + json + ` NOT NULL
		)`,
		`CREATE INDEX machine_pending_machine ON machine_pending (machine_id, requested_at)`,
		`CREATE TABLE machine_conflicts (
			machine_a TEXT NOT NULL REFERENCES machines (id) ON DELETE CASCADE,
			machine_b TEXT NOT NULL REFERENCES machines (id) ON DELETE CASCADE,
			reason TEXT NOT NULL,
			keys TEXT NOT NULL,
			first_seen ` + bigint + ` NOT NULL,
			last_seen ` + bigint + ` NOT NULL,
			count ` + bigint + ` NOT NULL,
			PRIMARY KEY (machine_a, machine_b)
		)`,
		`CREATE INDEX machine_conflicts_b ON machine_conflicts (machine_b)`,
	}
}

// postgresMigrations mirror sqliteMigrations. The inventory is kept
// verbatim, as text since migration 13 (a json column before: jsonb would
// reject the \u0000 escape that SMBIOS strings can carry); cast it to jsonb
// in ad-hoc queries.
var postgresMigrations = [][]string{
	{
		`CREATE TABLE machines (
			id TEXT PRIMARY KEY,
			state TEXT NOT NULL,
			first_seen BIGINT NOT NULL,
			last_seen BIGINT NOT NULL,
			pending_action TEXT NOT NULL DEFAULT '',
			credential_hash TEXT NOT NULL UNIQUE,
			inventory_digest TEXT NOT NULL,
			manufacturer TEXT NOT NULL DEFAULT '',
			product TEXT NOT NULL DEFAULT '',
			serial TEXT NOT NULL DEFAULT '',
			bmc_ip TEXT NOT NULL DEFAULT '',
			hostname TEXT NOT NULL DEFAULT '',
			worker_id TEXT NOT NULL DEFAULT '',
			hw_addr TEXT NOT NULL DEFAULT '',
			switches TEXT NOT NULL DEFAULT '[]',
			agent_version TEXT NOT NULL DEFAULT '',
			uptime_seconds DOUBLE PRECISION NOT NULL DEFAULT 0
		)`,
		`CREATE INDEX machines_state ON machines (state)`,
		`CREATE INDEX machines_last_seen ON machines (last_seen)`,
		`CREATE TABLE machine_inventories (
			machine_id TEXT PRIMARY KEY REFERENCES machines (id) ON DELETE CASCADE,
			inventory JSON NOT NULL
		)`,
		// lz4 compresses the TOASTed inventories several times faster than
		// the default pglz; servers built without lz4 (or older than 14)
		// keep pglz.
		`DO $$ BEGIN
			ALTER TABLE machine_inventories ALTER COLUMN inventory SET COMPRESSION lz4;
		EXCEPTION WHEN OTHERS THEN NULL;
		END $$`,
		`CREATE TABLE machine_keys (
			key TEXT PRIMARY KEY,
			machine_id TEXT NOT NULL REFERENCES machines (id) ON DELETE CASCADE
		)`,
		`CREATE INDEX machine_keys_machine ON machine_keys (machine_id)`,
		`CREATE TABLE machine_neighbours (
			machine_id TEXT NOT NULL REFERENCES machines (id) ON DELETE CASCADE,
			interface TEXT NOT NULL,
			switch TEXT NOT NULL,
			chassis_id TEXT NOT NULL,
			port TEXT NOT NULL
		)`,
		`CREATE INDEX machine_neighbours_machine ON machine_neighbours (machine_id)`,
		`CREATE INDEX machine_neighbours_switch ON machine_neighbours (switch)`,
		`CREATE INDEX machine_neighbours_chassis ON machine_neighbours (chassis_id)`,
		`CREATE TABLE machine_history (
			id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
			machine_id TEXT NOT NULL REFERENCES machines (id) ON DELETE CASCADE,
			at BIGINT NOT NULL,
			kind TEXT NOT NULL,
			details TEXT NOT NULL
		)`,
		`CREATE INDEX machine_history_machine ON machine_history (machine_id, id)`,
	},
	{
		`ALTER TABLE machines ADD COLUMN pending_action_id TEXT NOT NULL DEFAULT '',
			ADD COLUMN acked_action_id TEXT NOT NULL DEFAULT ''`,
		`UPDATE machines SET pending_action_id = 'a-' || substr(md5(random()::text || id), 1, 16) WHERE pending_action <> ''`,
	},
	identityMigration("BIGINT", "JSON"),
	kubeMigration("BIGINT"),
	bmcMigration(),
	tpmMigration("BIGINT"),
	kubeAddressMigration(),
	kubeNameMigration(),
	conflictReasonsMigration(),
	retiredMachinesMigration("BIGINT"),
	tpmChallengeReuseMigration(),
	bmcAddressIndexMigration(),
	inventoryTextMigration(),
}

// kubeMigration adds the Kubernetes outbox (store.KubeOutbox): one row per
// machine whose Tinkerbell objects are to be applied or were; generation
// counts the times it was marked, lease_owner/lease_until say which
// applier holds it.
func kubeMigration(bigint string) []string {
	return []string{
		`CREATE TABLE kube_sync (
			machine_id TEXT PRIMARY KEY REFERENCES machines (id) ON DELETE CASCADE,
			generation ` + bigint + ` NOT NULL DEFAULT 1,
			state TEXT NOT NULL DEFAULT 'pending',
			attempts INTEGER NOT NULL DEFAULT 0,
			next_attempt ` + bigint + ` NOT NULL DEFAULT 0,
			lease_owner TEXT NOT NULL DEFAULT '',
			lease_until ` + bigint + ` NOT NULL DEFAULT 0,
			last_attempt ` + bigint + ` NOT NULL DEFAULT 0,
			applied_at ` + bigint + ` NOT NULL DEFAULT 0,
			config TEXT NOT NULL DEFAULT '',
			objects TEXT NOT NULL DEFAULT '[]',
			message TEXT NOT NULL DEFAULT ''
		)`,
		`CREATE INDEX kube_sync_due ON kube_sync (state, next_attempt)`,
	}
}

// bmcMigration keeps the BMC user of each machine (issue 13). sealed is
// the password exactly as the agent sent it: a NaCl box only the server's
// seal key opens, so the database never holds it in the clear.
func bmcMigration() []string {
	return []string{
		`CREATE TABLE machine_bmc_credentials (
			machine_id TEXT PRIMARY KEY REFERENCES machines (id) ON DELETE CASCADE,
			username TEXT NOT NULL,
			privilege TEXT NOT NULL,
			slot INTEGER NOT NULL DEFAULT 0,
			channel INTEGER NOT NULL DEFAULT 0,
			status TEXT NOT NULL,
			error TEXT NOT NULL DEFAULT '',
			reported_at BIGINT NOT NULL,
			sealed TEXT NOT NULL DEFAULT '',
			password_set_at BIGINT NOT NULL DEFAULT 0,
			verification TEXT NOT NULL DEFAULT '',
			verified_at BIGINT NOT NULL DEFAULT 0,
			verify_error TEXT NOT NULL DEFAULT '',
			verify_address TEXT NOT NULL DEFAULT '',
			checked_at BIGINT NOT NULL DEFAULT 0
		)`,
	}
}

// tpmMigration adds the TPM credential challenges in flight
// (store.TPMChallenge): one row per challenge issued, kept until it
// expires (a minute or two), so that any replica can check the answer.
func tpmMigration(bigint string) []string {
	return []string{
		`CREATE TABLE tpm_challenges (
			id TEXT PRIMARY KEY,
			machine_id TEXT NOT NULL REFERENCES machines (id) ON DELETE CASCADE,
			ek_sha256 TEXT NOT NULL,
			ak_name TEXT NOT NULL,
			secret_sha256 TEXT NOT NULL,
			issued_at ` + bigint + ` NOT NULL,
			expires_at ` + bigint + ` NOT NULL
		)`,
		`CREATE INDEX tpm_challenges_machine ON tpm_challenges (machine_id, issued_at)`,
		`CREATE INDEX tpm_challenges_expiry ON tpm_challenges (expires_at)`,
	}
}

// kubeAddressMigration adds the plan's pool addresses serve --kubeconfig
// handed out: one per machine, each address once.
func kubeAddressMigration() []string {
	return []string{
		`CREATE TABLE kube_addresses (
			address TEXT PRIMARY KEY,
			machine_id TEXT NOT NULL UNIQUE REFERENCES machines (id) ON DELETE CASCADE
		)`,
	}
}

// kubeNameMigration adds the Hardware names serve --kubeconfig claimed: one
// per machine, each name once, so that two replicas applying two machines
// that get one name (one worker_id=, one hostname) cannot both write it.
// Names applied before it are not filled in: the machine whose last apply
// wrote an object (its hwagent.io/machine-id) claims it at its next apply.
func kubeNameMigration() []string {
	return []string{
		`CREATE TABLE kube_names (
			name TEXT PRIMARY KEY,
			machine_id TEXT NOT NULL UNIQUE REFERENCES machines (id) ON DELETE CASCADE
		)`,
	}
}

// conflictReasonsMigration keeps every distinct reason an identity conflict
// was met for (JSON list, the first first): reason alone held the latest,
// so a later meeting ("both match one registration") hid the contradiction
// that made the server keep the machines apart. Conflicts recorded before
// start their list with the reason they hold.
func conflictReasonsMigration() []string {
	return []string{`ALTER TABLE machine_conflicts ADD COLUMN reasons TEXT NOT NULL DEFAULT ''`}
}

// retiredMachinesMigration keeps the ID and identity of every deleted
// machine: its ID goes to no other machine (operators, plans and Hardware
// annotations still name it), only to a registration the same as that
// machine (docs/protocol.md, "Identity").
func retiredMachinesMigration(bigint string) []string {
	return []string{
		`CREATE TABLE retired_machines (
			id TEXT PRIMARY KEY,
			identity TEXT NOT NULL,
			deleted_at ` + bigint + ` NOT NULL
		)`,
	}
}

// tpmChallengeReuseMigration keeps a challenge's public parts (the
// credential blob and encrypted secret, standard base64) so that it is sent
// again, as it was, to every registration of the same machine and keys
// while it is outstanding: registrations carrying a machine's public EK and
// AK no longer push the genuine agent's challenge out (rows from before
// have none and are never sent again).
func tpmChallengeReuseMigration() []string {
	return []string{
		`ALTER TABLE tpm_challenges ADD COLUMN credential_blob TEXT NOT NULL DEFAULT ''`,
		`ALTER TABLE tpm_challenges ADD COLUMN encrypted_secret TEXT NOT NULL DEFAULT ''`,
		`CREATE INDEX tpm_challenges_keys ON tpm_challenges (machine_id, ek_sha256, ak_name, issued_at)`,
	}
}

// bmcAddressIndexMigration indexes machines by BMC IP: every BMC check
// asks which other machines report its address.
func bmcAddressIndexMigration() []string {
	return []string{`CREATE INDEX machines_bmc_ip ON machines (bmc_ip)`}
}

// inventoryTextMigration stores PostgreSQL's inventories as text instead
// of json. The server decodes every inventory strictly before storing it,
// so json's check was a second parse of 47 KB per registration and upload
// (json_in, 13 % of PostgreSQL's CPU in a 10,000-machine burst); what an
// ad-hoc query reads is the same (inventory::jsonb works on both). The
// column is rewritten once, in the migration's transaction: replicas of
// the previous version wait for it, then write text as they wrote json.
// lz4 is set again: a new column type starts with the default compression.
func inventoryTextMigration() []string {
	return []string{
		`ALTER TABLE machine_inventories ALTER COLUMN inventory TYPE TEXT`,
		`DO $$ BEGIN
			ALTER TABLE machine_inventories ALTER COLUMN inventory SET COMPRESSION lz4;
		EXCEPTION WHEN OTHERS THEN NULL;
		END $$`,
	}
}

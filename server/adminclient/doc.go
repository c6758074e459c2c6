// Package adminclient is a client of the provisioning server's operator
// API (admin token): list, show, history, action and delete, as used by
// `hwagent machines`.
package adminclient

"""Who may do what: roles kept in the store, and the one check every write passes.

Owns the `Role` and `Action` enums, the `Person` a request acts as, `can` / `require` (the only
place that decides whether a person may do an action, for a team or the whole company), and the
`access_grants` table (`grants`: grant, revoke, list, and the person an e-mail is). May import
`metrics.store` only. Where the person comes from (a signed-in e-mail, local mode, the OS user
of the command line) is the caller's business: this room only answers for a given person.
"""

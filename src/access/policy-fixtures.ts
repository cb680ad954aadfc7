// Policy files for tests and examples: a realistic document in YAML, easy to vary.

/** A valid policy file with two resources and two policies (the shape docs/policy.md describes). */
export const samplePolicyYaml = `version: 1
resources:
  - id: pg-prod
    kind: postgres
    name: Payments production
    labels: { env: prod, team: payments }
    connection: { host: db.internal, port: 5432, database: payments, tls: require }
    levels:
      read-only:  { username: writ_ro, password: env:PG_PROD_RO_PASSWORD }
      read-write: { username: writ_rw, password: file:/run/secrets/pg-prod-rw }
  - id: pg-dev
    kind: postgres
    name: Payments development
    labels: { env: dev, team: payments }
    connection: { host: db-dev.internal, database: payments }
    levels:
      read-only: { username: writ_ro }
policies:
  - name: prod-databases
    description: Production needs a ticket and two stages of approval.
    requesters: { groups: [engineers], users: [alice] }
    resources: { labels: { env: prod } }
    levels: [read-only, read-write]
    maxDuration: 4h
    reason: { required: true, ticketPattern: 'OPS-[0-9]+' }
    pendingTtl: 24h
    approval:
      stages:
        - { name: team-lead, groups: [payments-leads], users: [], count: 1 }
        - { name: security, groups: [security], count: 1 }
      onDenial: deny
      selfApproval: false
    autoApprove:
      - { name: office-read-only, levels: [read-only], workingHours: { days: [mon, tue, wed, thu, fri], from: "09:00", to: "18:00", timeZone: Europe/Berlin } }
      - { name: on-call, requesterGroups: [oncall] }
    breakGlass: { allowed: true, notify: [security] }
  - name: dev-databases
    requesters: { groups: [engineers] }
    resources: { ids: [pg-dev] }
    levels: [read-only]
    maxDuration: 1d
    reason: { required: false }
    approval:
      stages:
        - { name: lead, users: [dana, erin], count: 1 }
      selfApproval: true
`;

/** The policy file the engine and explain tests decide against: three resources, three policies, every rule kind. */
export const engineTestYaml = `version: 1
resources:
  - id: pg-prod
    kind: postgres
    name: Payments production
    labels: { env: prod, team: payments }
    connection: { host: db.internal, database: payments }
    levels:
      read-only: { username: writ_ro, password: env:PG_RO }
      read-write: { username: writ_rw, password: env:PG_RW }
  - id: pg-dev
    kind: postgres
    name: Payments development
    labels: { env: dev }
    connection: { host: db-dev.internal, database: payments }
    levels:
      read-only: { username: writ_ro }
  - id: pg-staging
    kind: postgres
    name: Staging
    labels: { env: staging }
    connection: { host: db-staging.internal, database: payments }
    levels:
      read-only: { username: writ_ro }
      read-write: { username: writ_rw }
policies:
  - name: prod-databases
    requesters: { groups: [engineers], users: [zoe] }
    resources: { labels: { env: prod } }
    levels: [read-only, read-write]
    maxDuration: 4h
    reason: { required: true, ticketPattern: 'OPS-[0-9]+' }
    pendingTtl: 12h
    approval:
      stages:
        - { name: team-lead, groups: [payments-leads], count: 1 }
        - { name: security, groups: [security], users: [sven], count: 2 }
    autoApprove:
      - name: office-read-only
        levels: [read-only]
        workingHours: { days: [mon, tue, wed, thu, fri], from: "09:00", to: "18:00", timeZone: Europe/Berlin }
      - { requesterGroups: [oncall], maxDuration: 1h }
    breakGlass: { allowed: true, notify: [security], maxDuration: 1h }
  - name: prod-sre
    requesters: { groups: [sre] }
    resources: { ids: [pg-prod] }
    levels: [read-only]
    maxDuration: 8h
    reason: { required: false }
    approval:
      stages:
        - { name: sre-lead, groups: [sre-leads] }
  - name: dev-databases
    requesters: { groups: [engineers] }
    resources: { ids: [pg-dev] }
    levels: [read-only]
    maxDuration: 1d
    reason: { required: false }
    approval:
      stages:
        - { name: lead, users: [dana, erin, alice], count: 2 }
      onDenial: ignore
      selfApproval: true
`;

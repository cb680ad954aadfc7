// The README.md of an evidence bundle: what it holds and how an auditor verifies it, with writ or by hand with other C2SP tools.
import type { BundleSelection } from '../events/evidence-bundle-format.ts';
import { BUNDLE_FORMAT, bundleFiles, ENTRIES_PER_CHUNK } from '../events/evidence-bundle-format.ts';
import { isFiltered } from '../events/evidence-bundle-selection.ts';

export interface ReadmeFacts {
  readonly origin: string;
  readonly checkpointSize: number;
  readonly entryCount: number;
  readonly selection: BundleSelection;
  readonly redacted: boolean;
  readonly witnessPolicy: boolean;
  readonly createdAt: string;
  readonly tool: string;
}

function describeSelection(s: BundleSelection): string {
  const parts = [`log indices ${s.fromIndex} to ${s.toIndex} (the end excluded)`];
  if (s.fromTime !== undefined) parts.push(`events at or after ${s.fromTime}`);
  if (s.toTime !== undefined) parts.push(`events before ${s.toTime}`);
  if (s.type !== undefined) parts.push(`type ${s.type}`);
  if (s.actor !== undefined) parts.push(`actor id ${s.actor}`);
  if (s.target !== undefined) parts.push(`target ${s.target}`);
  if (s.outcome !== undefined) parts.push(`outcome ${s.outcome}`);
  if (s.requestId !== undefined) parts.push(`request id ${s.requestId}`);
  if (s.grantId !== undefined) parts.push(`grant id ${s.grantId}`);
  return parts.join('; ');
}

/**
 * The README text for one bundle.
 * @example bundleReadme({ origin: 'audit.example.com/writ', checkpointSize: 1000, entryCount: 10, ... })
 */
export function bundleReadme(f: ReadmeFacts): string {
  const personal = f.redacted
    ? 'This bundle is **redacted**: it carries no personal values, only the salted commitments inside the entries.'
    : 'Personal values (actor name, IP address, user agent, personal fields) are included with their salts, except for\n' +
      'entries whose subject was erased (marked `"erased"`): for those only the commitment in the entry remains.';
  return `# Writ evidence bundle

Format \`${BUNDLE_FORMAT}\`, made by ${f.tool} at ${f.createdAt}.

This bundle holds **${f.entryCount}** entries of the audit log \`${f.origin}\` — ${describeSelection(f.selection)} —
each with a C2SP \`tlog-proof@v1\` receipt against one signed checkpoint of size ${f.checkpointSize}.
${personal}

## Files
| file | what it is |
|---|---|
| \`${bundleFiles.checkpoint}\` | the checkpoint (C2SP \`tlog-checkpoint\` in a \`signed-note\`), verbatim, with the log's signature${f.witnessPolicy ? ' and the witnesses\' cosignatures' : ''}; every entry is proven against it |
| \`${bundleFiles.logKey}\` | the log's verifier key (\`<name>+<key ID>+<base64 key>\`, Go \`sumdb/note\` form) |
${f.witnessPolicy ? `| \`${bundleFiles.witnessPolicy}\` | the log's witness policy (C2SP \`tlog-policy\`): which witnesses must cosign |\n` : ''}| \`entries/NNNNNN.ndjson\` | the entries, ${ENTRIES_PER_CHUNK} per file, one JSON object a line, in index order |
| \`${bundleFiles.manifest}\` | what was selected, the counts, the checkpoint size (descriptive: not signed) |

Each line of an entries file is \`{"entry", "eventId", "index", "personal", "receipt"}\`:
- \`entry\`: the exact bytes of the log entry (RFC 8785 canonical JSON) as a string; its UTF-8 encoding is what is hashed.
- \`receipt\`: \`c2sp.org/tlog-proof@v1\`, \`index <n>\`, the inclusion proof (base64 hashes, the leaf's sibling first),
  a blank line, then the checkpoint verbatim.
- \`personal\`: \`{"kind":"included","value","salt"}\` (the exact canonical JSON of the personal part, and a base64
  32-byte salt), or \`{"kind":"erased"}\`, \`{"kind":"redacted"}\`, \`{"kind":"none"}\` (the event has no personal part).
- An entry whose content retention removed appears as \`{"index", "leafHash", "receipt", "removed": true}\`: its bytes are
  gone, but its leaf hash (from the log's tree) is still proven by the receipt, so the range stays complete.

## Verify with writ (offline, nothing else needed)
    writ verify --bundle this-file.tar --vkey '<the log's verifier key, obtained from the operator>'${f.witnessPolicy ? " --policy <the log's witness policy>" : ''}

Exit status 0 means everything holds; otherwise each problem is listed with its entry index. Without \`--vkey\` the key
in \`${bundleFiles.logKey}\` is used, with a warning: a key that travels with the evidence proves nothing by itself.

## Verify by hand, or with other C2SP tools
1. **The key.** Key ID = first 4 bytes of SHA-256(key name ‖ 0x0A ‖ 0x01 ‖ 32-byte Ed25519 public key); the verifier key
   string is \`<name>+<key ID in hex>+<base64(0x01 ‖ public key)>\`. Compare it with the one the log operator publishes.
2. **The checkpoint.** Its text is the note up to and including the blank line's first newline: origin, tree size,
   base64 root hash. The signature line \`— <name> <base64(key ID ‖ Ed25519 signature)>\` signs that text; Go's
   \`golang.org/x/mod/sumdb/note\` (\`note.Open\`) checks it.${f.witnessPolicy ? ' Cosignature lines (C2SP `tlog-cosignature`) sign\n   `cosignature/v1`, `time <seconds>` and the checkpoint text with each witness key of the policy.' : ''}
3. **Each entry.** leaf hash = SHA-256(0x00 ‖ entry bytes); interior nodes SHA-256(0x01 ‖ left ‖ right) (RFC 9162 §2.1).
   Check the receipt's proof takes the leaf hash at its index to the checkpoint's root for its size
   (\`golang.org/x/mod/sumdb/tlog.CheckRecord\`, or RFC 9162 §2.1.3.2), and that the receipt's checkpoint is this one.
   For example: \`jq -j 'select(.index==N).entry' entries/*.ndjson | (printf '\\0'; cat) | sha256sum\`.
4. **Personal values.** The entry's \`personalCommitment\` is base64(SHA-256(salt ‖ value bytes)).
${!isFiltered(f.selection)
    ? '5. **Completeness.** No filter was applied: every index of the range must be present.\n'
    : '5. **Selection.** A filter was applied: each entry must match it; entries of the range that do not match are absent.\n'}`;
}

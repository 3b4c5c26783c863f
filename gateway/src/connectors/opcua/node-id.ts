/**
 * Namespace-URI node ids (`nsu=urn:plant:fridges;s=Fridge3.Temp`, OPC UA Part 6 §5.3.1.10) survive a server
 * that renumbers its namespaces (a PLC program download, another nodeset load order); the index form does not.
 * Services only take indexes, so each one is resolved through the server's NamespaceArray (ns=0;i=2255) after
 * every connect. Pure: the NamespaceArray is read by the caller.
 */
export type ResolvedNodeId = { nodeId: string; error: null } | { nodeId: null; error: string };

const NSU = /^nsu=([^;]+);(.+)$/;

export function resolveNodeId(nodeId: string, namespaceArray: readonly string[]): ResolvedNodeId {
  const m = NSU.exec(nodeId);
  if (!m) return { nodeId, error: null };
  const uri = m[1]!;
  const identifier = m[2]!;
  let index = namespaceArray.indexOf(uri);
  // The URI is percent-encoded where it would clash with the syntax (`;` as %3B); servers list it decoded.
  if (index < 0) index = namespaceArray.indexOf(decodeOrSelf(uri));
  if (index < 0) {
    return {
      nodeId: null,
      error: `BadNodeIdUnknown: namespace ${uri} is not in the server's NamespaceArray (${namespaceArray.length} namespaces)`,
    };
  }
  return { nodeId: index === 0 ? identifier : `ns=${index};${identifier}`, error: null };
}

/** True if any of the node ids needs the NamespaceArray. */
export function needsNamespaceArray(nodeIds: readonly string[]): boolean {
  return nodeIds.some((id) => id.startsWith('nsu='));
}

function decodeOrSelf(uri: string): string {
  try {
    return decodeURIComponent(uri);
  } catch {
    return uri;
  }
}

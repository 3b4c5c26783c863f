import { describe, expect, it } from 'vitest';
import { needsNamespaceArray, resolveNodeId } from './node-id.js';

const namespaces = ['http://opcfoundation.org/UA/', 'urn:plc:own', 'urn:plant:fridges', 'urn:a;b'];

describe('nsu= node ids resolved through the NamespaceArray', () => {
  it('maps a namespace URI to its current index', () => {
    expect(resolveNodeId('nsu=urn:plant:fridges;s=Fridge3.Temp', namespaces)).toEqual({
      nodeId: 'ns=2;s=Fridge3.Temp',
      error: null,
    });
    expect(resolveNodeId('nsu=urn:plant:fridges;i=42', ['x', 'urn:plant:fridges'])).toEqual({
      nodeId: 'ns=1;i=42',
      error: null,
    });
  });

  it('namespace 0 needs no prefix; index forms pass unchanged', () => {
    expect(resolveNodeId('nsu=http://opcfoundation.org/UA/;i=2258', namespaces).nodeId).toBe('i=2258');
    expect(resolveNodeId('ns=2;s=Fridge3.Temp', [])).toEqual({ nodeId: 'ns=2;s=Fridge3.Temp', error: null });
    expect(resolveNodeId('i=2258', []).nodeId).toBe('i=2258');
  });

  it('accepts a percent-encoded `;` in the URI', () => {
    expect(resolveNodeId('nsu=urn:a%3Bb;s=X', namespaces).nodeId).toBe('ns=3;s=X');
  });

  it('a URI the server does not list is an error naming it, not a guess', () => {
    const r = resolveNodeId('nsu=urn:plant:freezers;s=Temp', namespaces);
    expect(r.nodeId).toBeNull();
    expect(r.error).toMatch(/urn:plant:freezers is not in the server's NamespaceArray/);
    expect(resolveNodeId('nsu=urn:%E0%A4%A;s=X', namespaces).error).toMatch(/not in the server/);
  });

  it('tells whether the NamespaceArray must be read', () => {
    expect(needsNamespaceArray(['ns=1;s=A', 'i=5'])).toBe(false);
    expect(needsNamespaceArray(['ns=1;s=A', 'nsu=urn:x;s=B'])).toBe(true);
  });
});

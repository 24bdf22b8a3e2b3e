/**
 * GET /api/asyncapi: the AsyncAPI document for people. A small self-contained page that loads
 * ./asyncapi.json and renders channels, operations and message payloads as tables.
 * (@asyncapi/react-component would pull a large React bundle and its own build into the demo's
 * Vite build for a page this document's flat frames do not need; see README "Real-time API".)
 * Everything from the document is inserted as text, never as HTML.
 */
export const ASYNCAPI_PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>NumerAI real-time API (AsyncAPI)</title>
<style>
  body { font: 15px/1.45 system-ui, sans-serif; margin: 0 auto; max-width: 60rem; padding: 1rem 1.5rem 4rem; color: #1d2430; }
  h1 { margin-bottom: .2rem; } h2 { margin-top: 2.5rem; border-bottom: 1px solid #d8dde6; } h3 { margin: 1.6rem 0 .3rem; }
  code { background: #f1f3f7; padding: 0 .25rem; border-radius: 3px; }
  table { border-collapse: collapse; width: 100%; margin: .4rem 0 1rem; font-size: 14px; }
  th, td { text-align: left; padding: .25rem .5rem; border-bottom: 1px solid #e4e7ee; vertical-align: top; }
  .tag { display: inline-block; font-size: 12px; font-weight: 600; padding: 0 .4rem; border-radius: 3px; margin-right: .4rem; }
  .receive { background: #e3f1ff; color: #0b4f8a; } .send { background: #e5f6e8; color: #1d6b2c; }
  .muted { color: #5b6575; }
</style>
</head>
<body>
<main id="doc"><p class="muted">Loading <a href="asyncapi.json">asyncapi.json</a>…</p></main>
<script>
(function () {
  var root = document.getElementById('doc');
  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) { node.setAttribute(key, attrs[key]); });
    (children || []).forEach(function (child) {
      node.appendChild(typeof child === 'string' ? document.createTextNode(child) : child);
    });
    return node;
  }
  function resolve(doc, value) {
    while (value && value.$ref) {
      value = value.$ref.slice(2).split('/').reduce(function (at, key) { return at && at[key]; }, doc);
    }
    return value;
  }
  function typeOf(schema) {
    if (schema.const !== undefined) return JSON.stringify(schema.const);
    if (schema.enum) return schema.enum.map(function (v) { return JSON.stringify(v); }).join(' | ');
    if (schema.type === 'array') return typeOf(schema.items || {}) + '[]';
    return (schema.type || 'any') + (schema.format ? ' (' + schema.format + ')' : '');
  }
  function rules(schema) {
    var out = [];
    ['minLength', 'maxLength', 'minimum', 'maximum'].forEach(function (key) {
      if (schema[key] !== undefined) out.push(key + ' ' + schema[key]);
    });
    if (schema.description) out.push(schema.description);
    return out.join('; ');
  }
  function fields(schema, prefix, rows) {
    var required = schema.required || [];
    Object.keys(schema.properties || {}).forEach(function (name) {
      var field = schema.properties[name];
      rows.push(el('tr', {}, [
        el('td', {}, [el('code', {}, [prefix + name])]),
        el('td', {}, [typeOf(field)]),
        el('td', {}, [required.indexOf(name) >= 0 ? 'required' : 'optional']),
        el('td', {}, [rules(field)]),
      ]));
      var inner = field.type === 'array' ? field.items : field;
      if (inner && inner.properties) fields(inner, prefix + name + (field.type === 'array' ? '[].' : '.'), rows);
    });
    return rows;
  }
  function payload(schema) {
    var rows = fields(schema, '', []);
    return el('table', {}, [el('tr', {}, [el('th', {}, ['field']), el('th', {}, ['type']), el('th', {}, ['']), el('th', {}, ['rules'])])].concat(rows));
  }
  function render(doc) {
    root.textContent = '';
    root.appendChild(el('h1', {}, [doc.info.title + ' ' + doc.info.version]));
    root.appendChild(el('p', { class: 'muted' }, ['AsyncAPI ' + doc.asyncapi + ' — ', el('a', { href: 'asyncapi.json' }, ['asyncapi.json'])]));
    root.appendChild(el('p', {}, [doc.info.description || '']));
    var servers = Object.keys(doc.servers || {}).map(function (name) {
      var server = doc.servers[name];
      return el('li', {}, [el('code', {}, [server.protocol + '://' + server.host]), ' ' + (server.description || name)]);
    });
    root.appendChild(el('h2', {}, ['Servers']));
    root.appendChild(el('ul', {}, servers));
    var schemes = (doc.components && doc.components.securitySchemes) || {};
    root.appendChild(el('h2', {}, ['Authentication']));
    root.appendChild(el('ul', {}, Object.keys(schemes).map(function (name) {
      return el('li', {}, [el('code', {}, [name]), ' ' + (schemes[name].description || schemes[name].type)]);
    })));
    Object.keys(doc.channels || {}).forEach(function (id) {
      var channel = doc.channels[id];
      root.appendChild(el('h2', { id: 'channel-' + id }, [el('code', {}, [channel.address])]));
      root.appendChild(el('p', {}, [channel.description || '']));
      var params = channel.parameters || {};
      var query = (((channel.bindings || {}).ws || {}).query || {}).properties || {};
      var rows = Object.keys(params).map(function (name) {
        return el('tr', {}, [el('td', {}, [el('code', {}, ['{' + name + '}'])]), el('td', {}, ['path']), el('td', {}, [params[name].description || ''])]);
      }).concat(Object.keys(query).map(function (name) {
        return el('tr', {}, [el('td', {}, [el('code', {}, ['?' + name + '='])]), el('td', {}, ['query']), el('td', {}, [query[name].description || ''])]);
      }));
      if (rows.length) root.appendChild(el('table', {}, rows));
      Object.keys(doc.operations || {}).forEach(function (opId) {
        var op = doc.operations[opId];
        if (resolve(doc, op.channel) !== channel) return;
        (op.messages || []).forEach(function (ref) {
          var message = resolve(doc, ref);
          var direction = op.action === 'receive' ? 'client → server' : 'server → client';
          root.appendChild(el('h3', { id: opId }, [el('span', { class: 'tag ' + op.action }, [direction]), el('code', {}, [message.name])]));
          root.appendChild(el('p', {}, [message.summary || op.summary || '']));
          root.appendChild(payload(message.payload));
        });
      });
    });
  }
  fetch('asyncapi.json').then(function (res) {
    if (!res.ok) throw new Error('HTTP ' + res.status);
    return res.json();
  }).then(render).catch(function (error) {
    root.textContent = 'Could not load asyncapi.json: ' + error.message;
  });
})();
</script>
</body>
</html>
`;

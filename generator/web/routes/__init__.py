"""The routers of the web page, one module per page group; app.create_app includes them.

auth     GET/POST /login, POST /logout, GET /healthz
units    GET /                              the units, their plan, deadline and state
unit     GET /units/<unit>                  the profile as a form, its problems, preview
         POST /units/<unit>/preview         the preview of the submitted, unsaved form
         POST /units/<unit>/save            save: checked in full, refused on a conflict
files    GET /units/<unit>/files/<name>     the plan, each appendix, the tracker, PDFs
tracker  POST /units/<unit>/status          a filled tracker -> stored, and the `plangen status`
                                            summary with its differences to the last one
new      GET/POST /new                      a new unit from a kind (administrators)
rollup   GET /rollup, /rollup/<file>        the province's roll-up and its files (administrators)
"""

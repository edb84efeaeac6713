// `lotse import hsds PATH` and `lotse export hsds PATH`: the offer catalogue
// as an HSDS 3.0 JSON document (PATH ending in .json) or CSV tabular package
// (a directory), `--format json|csv` to say so explicitly. Progress goes to
// standard error (a bar on a terminal, one line per step otherwise). An
// import lists every problem (file, line/record, field) and writes nothing
// if there is one; running it twice changes nothing.
//
//   CLI::App cli{"…"};
//   lotse::app::add_catalogue_commands(cli);   // before CLI11_PARSE
//
// The commands run in their subcommand callbacks and end the program from
// there (CLI::Success / CLI::RuntimeError with the exit code: 0 done,
// 1 problems in the data, 2 the database or a file could not be used).
#pragma once

namespace CLI {
class App;
}

namespace lotse::app {

void add_catalogue_commands(CLI::App& cli);

}  // namespace lotse::app

/** The repository root. */
export declare const REPO_ROOT: string

/** examples/flask-backend/requirements.txt of this repository. */
export declare const REQUIREMENTS: string

/** Requirement files installed into the venv (with python/ editable), relative to the repository root. */
export declare const PYTHON_REQUIREMENTS: readonly string[]

/** Options of {@link ensurePythonEnv}. */
export interface PythonEnvOptions {
  /** Repository root holding examples/flask-backend/. @default the repo this script is in */
  root?: string | undefined
  /** Interpreter that creates the venv. @default `$PYTHON`, else `python3` */
  python?: string | undefined
  /** Receives progress lines ("creating .venv", "installing ..."). @default none */
  log?: ((line: string) => void) | undefined
}

/**
 * Create `<root>/.venv` if missing (or unusable), install the Python kit
 * (python/, editable) and the requirement files when one changed (tracked by hash),
 * and resolve to the venv's python. Rejects with a readable message when
 * python3 is missing or the venv or pip install fails.
 */
export declare function ensurePythonEnv(options?: PythonEnvOptions): Promise<string>

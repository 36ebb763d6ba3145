/**
 * @file flax.errors for linen: the error classes flax 0.12.8 raises from its module system, with
 * flax's messages and its documentation link appended as flax's FlaxError does (flax/errors.py).
 */

const ERROR_PAGE = 'https://flax.readthedocs.io/en/latest/api_reference/flax.errors.html';

/** flax.errors.FlaxError: the message ends with a link to the class's entry in flax's docs. */
export class FlaxError extends Error {
  // The class name is passed as a string: bundlers may rename classes, and flax's link needs it.
  constructor(message: string, name = 'FlaxError') {
    super(message.includes(ERROR_PAGE) ? message : `${message} (${ERROR_PAGE}#flax.errors.${name})`);
    this.name = name;
  }
}

export class InvalidRngError extends FlaxError {
  constructor(message: string) {
    super(message, 'InvalidRngError');
  }
}

export class ApplyScopeInvalidVariablesTypeError extends FlaxError {
  constructor() {
    super(
      'The first argument passed to an apply function should be a dictionary of collections. Each collection should be a dictionary with string keys.',
      'ApplyScopeInvalidVariablesTypeError',
    );
  }
}

export class ApplyScopeInvalidVariablesStructureError extends FlaxError {
  constructor() {
    super(
      'Expect the `variables` (first argument) passed to apply() to be a dict with the structure {"params": ...}, but got a dict with an extra params layer, i.e.  {"params": {"params": ... } }. You should instead pass in your dict\'s ["params"].',
      'ApplyScopeInvalidVariablesStructureError',
    );
  }
}

export class ScopeParamNotFoundError extends FlaxError {
  constructor(paramName: string, scopePath: string) {
    super(
      `Could not find parameter named "${paramName}" in scope "${scopePath}".`,
      'ScopeParamNotFoundError',
    );
  }
}

export class ScopeCollectionNotFound extends FlaxError {
  constructor(colName: string, varName: string, scopePath: string) {
    super(
      `Tried to access "${varName}" from collection "${colName}" in "${scopePath}" but the collection is empty.`,
      'ScopeCollectionNotFound',
    );
  }
}

export class ScopeParamShapeError extends FlaxError {
  constructor(paramName: string, scopePath: string, valueShape: string, initShape: string) {
    super(
      `For parameter "${paramName}" in "${scopePath}", the given initializer is expected to generate shape ${initShape}, but the existing parameter it received has shape ${valueShape}.`,
      'ScopeParamShapeError',
    );
  }
}

export class ScopeVariableNotFoundError extends FlaxError {
  constructor(name: string, col: string, scopePath: string) {
    super(
      `No Variable named "${name}" for collection "${col}" exists in "${scopePath}".`,
      'ScopeVariableNotFoundError',
    );
  }
}

export class InvalidFilterError extends FlaxError {
  constructor(filter: unknown) {
    super(`Invalid Filter: "${String(filter)}"`, 'InvalidFilterError');
  }
}

export class ModifyScopeVariableError extends FlaxError {
  constructor(col: string, variableName: string, scopePath: string) {
    super(
      `Cannot update variable "${variableName}" in "${scopePath}" because collection "${col}" is immutable.`,
      'ModifyScopeVariableError',
    );
  }
}

export class NameInUseError extends FlaxError {
  constructor(keyType: 'param' | 'variable' | 'submodule', value: string, moduleName: string) {
    super(`Could not create ${keyType} "${value}" in Module ${moduleName}: Name in use.`, 'NameInUseError');
  }
}

export class AssignSubModuleError extends FlaxError {
  constructor(cls: string) {
    super(
      `Submodule ${cls} must be defined in \`setup()\` or in a method wrapped in \`@compact\``,
      'AssignSubModuleError',
    );
  }
}

export class CallCompactUnboundModuleError extends FlaxError {
  constructor() {
    super("Can't call compact methods on unbound modules", 'CallCompactUnboundModuleError');
  }
}

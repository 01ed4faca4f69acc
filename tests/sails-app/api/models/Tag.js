// A label on pets: the many-to-many side of Pet.tags (a join table of its own).
module.exports = {
  schema: true, // `select` needs a schema (E_INVALID_CRITERIA without one); unknown keys are dropped on write
  attributes: {
    label: { type: 'string', required: true },
    pets: { collection: 'pet', via: 'tags' }
  }
};
